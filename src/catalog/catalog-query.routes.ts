/** `/api/v1/catalog-queries/…` (reference §2.7). Thin: schemas, one service call. */
import type { AppContext, HttpApp } from '../app-context.js';
import { authOf, methodNotAllowed, rawBody, requestUrl } from './catalog-http.js';
import type { CatalogServices } from './catalog-services.js';
import {
  ErrorResponse,
  HashQuery,
  HashResponse,
  PageQuery,
  QueryIdParams,
  QueryListResponse,
  QueryResponse,
} from './catalog.schemas.js';

export function catalogQueryRoutes(app: HttpApp, s: CatalogServices, ctx: AppContext): void {
  const tags = ['catalog-queries'];
  const BASE = '/api/v1/catalog-queries';
  app.get(
    `${BASE}/`,
    {
      schema: {
        tags,
        summary: "List the catalog queries of the caller's enterprises",
        querystring: PageQuery,
        response: { 200: QueryListResponse, '4xx': ErrorResponse },
      },
    },
    (req) => s.queries.list(authOf(req), req.query, requestUrl(req)),
  );
  methodNotAllowed(app, `${BASE}/`, ['GET']);

  app.get(
    `${BASE}/get_query_by_hash/`,
    {
      schema: {
        tags,
        summary: 'Find a catalog query by content_filter_hash',
        querystring: HashQuery,
        response: { 200: QueryResponse, '4xx': ErrorResponse },
      },
    },
    (req) => s.queries.getByHash(authOf(req), req.query.hash),
  );
  methodNotAllowed(app, `${BASE}/get_query_by_hash/`, ['GET']);

  app.get(
    `${BASE}/get_content_filter_hash/`,
    {
      schema: {
        tags,
        summary: 'content_filter_hash of the filter sent as the JSON request body',
        description: "A body on a GET, as edx-enterprise sends it. md5 of Python's json.dumps(filter, sort_keys=True).",
        response: { 200: HashResponse, '4xx': ErrorResponse },
      },
    },
    async (req, reply) => {
      const hash = await s.queries.hashOf(authOf(req), await rawBody(req, ctx.config.bodyLimitBytes));
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(hash));
    },
  );
  methodNotAllowed(app, `${BASE}/get_content_filter_hash/`, ['GET']);

  app.get(
    `${BASE}/:id/`,
    {
      schema: { tags, summary: 'Read a catalog query', params: QueryIdParams, response: { 200: QueryResponse, '4xx': ErrorResponse } },
    },
    (req) => s.queries.get(authOf(req), req.params.id),
  );
  methodNotAllowed(app, `${BASE}/:id/`, ['GET']);
}
