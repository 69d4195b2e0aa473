/**
 * The one place where error kinds become HTTP statuses. Bodies keep the DRF shape (`{"detail": "…"}`, or the
 * upstream field/list body an `AppError` carries) so existing Open edX clients parse them; the stable error code
 * travels in the `X-Error-Code` header. Unknown errors are logged with the request id and answered with a generic
 * 500 that reveals nothing internal.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorKind } from '../shared/errors.js';

export const STATUS_BY_KIND: Readonly<Record<ErrorKind, number>> = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

/** Turn framework errors (validation, parsing, body size) into AppErrors; anything else stays unknown. */
function fromFrameworkError(err: FastifyError): AppError | null {
  if (err.validation) {
    const where = err.validationContext ?? 'request';
    const first = err.validation[0];
    const path = first?.instancePath ? first.instancePath.replace(/^\//, '').replace(/\//g, '.') : '';
    const field = path || (first?.params as { requiredProperties?: string[] } | undefined)?.requiredProperties?.[0] || where;
    return new AppError('bad_request', 'invalid_request', `${where}${path ? `/${path}` : ''} ${first?.message ?? 'is invalid'}`, {
      [field]: [first?.message ?? 'Invalid value.'],
    });
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', 'body_too_large', 'Request body is too large.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('bad_request', 'unsupported_media_type', `Unsupported media type.`);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('bad_request', 'empty_json_body', 'JSON parse error - empty body.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('bad_request', 'invalid_content_length', 'Invalid Content-Length.');
    default:
      break;
  }
  if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new AppError('bad_request', 'json_parse_error', `JSON parse error - ${err.message}`);
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    // Other client errors raised by the framework or plugins: the message is written for callers.
    const kind = (Object.entries(STATUS_BY_KIND).find(([, s]) => s === err.statusCode)?.[0] ?? 'bad_request') as ErrorKind;
    return new AppError(kind, err.code ?? 'bad_request', err.message);
  }
  return null;
}

export function sendError(reply: FastifyReply, err: AppError): FastifyReply {
  return reply
    .status(STATUS_BY_KIND[err.kind])
    .header('x-error-code', err.code)
    .type('application/json; charset=utf-8')
    .send(err.body !== undefined ? err.body : { detail: err.message });
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const appErr = err instanceof AppError ? err : fromFrameworkError(err);
    if (appErr && appErr.kind !== 'internal') {
      if (appErr.kind === 'unavailable') req.log.warn({ err }, 'dependency unavailable');
      return sendError(reply, appErr);
    }
    req.log.error({ err }, 'unhandled error');
    return reply
      .status(500)
      .header('x-error-code', 'internal_error')
      .send({ detail: `A server error occurred. Request id: ${String(req.id)}` });
  });
  app.setNotFoundHandler((_req, reply) => sendError(reply, new AppError('not_found', 'route_not_found', 'Not found.')));
}
