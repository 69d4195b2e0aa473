/**
 * Errors by kind. Services and adapters throw `AppError`s; the HTTP layer maps the kind to a status code in one
 * place (`src/http/error-handler.ts`). Messages are safe to show to the caller; anything internal goes to `cause`
 * and is only logged.
 */
export type ErrorKind =
  | 'bad_request' // 400: the input is wrong
  | 'unauthenticated' // 401: no or invalid credentials
  | 'forbidden' // 403: authenticated, not allowed
  | 'not_found' // 404
  | 'method_not_allowed' // 405
  | 'conflict' // 409: unique key already taken
  | 'payload_too_large' // 413
  | 'unprocessable' // 422: well-formed but refused
  | 'rate_limited' // 429
  | 'unavailable' // 503: a dependency is down
  | 'internal'; // 500

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly kind: ErrorKind,
    /** Stable, machine-readable code, e.g. `catalog_not_found`. */
    readonly code: string,
    message: string,
    /**
     * Optional body that replaces `{"detail": message}` on the compatibility API, where upstream returns a
     * field dictionary (`{"hash": ["Invalid filter hash."]}`) or a bare list.
     */
    readonly body?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const badRequest = (code: string, message: string, body?: unknown): AppError =>
  new AppError('bad_request', code, message, body);
export const notFound = (code: string, message = 'Not found.'): AppError => new AppError('not_found', code, message);
export const forbidden = (code: string, message = 'You do not have permission to perform this action.'): AppError =>
  new AppError('forbidden', code, message);
export const conflict = (code: string, message: string): AppError => new AppError('conflict', code, message);
