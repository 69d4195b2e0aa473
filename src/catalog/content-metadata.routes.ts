/**
 * `/api/v1/content-metadata/…` and `/api/v1/distinct-catalog-queries/` (reference §2.8). Thin: schemas, one
 * service call.
 */
import type { HttpApp } from '../app-context.js';
import { authOf, methodNotAllowed, requestUrl, sendJson } from './catalog-http.js';
import type { CatalogServices } from './catalog-services.js';
import {
  ContentDetailQuery,
  ContentIdParams,
  ContentItem,
  ContentListQuery,
  ContentListResponse,
  DistinctBody,
  DistinctResponse,
  ErrorResponse,
} from './catalog.schemas.js';

export function contentMetadataRoutes(app: HttpApp, s: CatalogServices): void {
  const tags = ['catalog-queries'];
  app.post(
    '/api/v1/distinct-catalog-queries/',
    {
      schema: {
        tags,
        summary: 'Group catalogs by their catalog query (staff only)',
        body: DistinctBody,
        response: { 200: DistinctResponse, '4xx': ErrorResponse },
      },
    },
    (req) => s.content.distinctCatalogQueries(authOf(req), req.body.enterprise_catalog_uuids),
  );
  methodNotAllowed(app, '/api/v1/distinct-catalog-queries/', ['POST']);

  const contentTags = ['content-metadata'];
  app.get(
    '/api/v1/content-metadata/',
    {
      schema: {
        tags: contentTags,
        summary: 'List stored content metadata (no catalog context)',
        querystring: ContentListQuery,
        response: { 200: ContentListResponse, '4xx': ErrorResponse },
      },
    },
    async (req, reply) => sendJson(reply, await s.content.contentMetadataListJson(authOf(req), req.query, requestUrl(req))),
  );
  methodNotAllowed(app, '/api/v1/content-metadata/', ['GET']);

  app.get(
    '/api/v1/content-metadata/:identifier/',
    {
      schema: {
        tags: contentTags,
        summary: 'One stored content item by id, uuid or key',
        params: ContentIdParams,
        querystring: ContentDetailQuery,
        response: { 200: ContentItem, '4xx': ErrorResponse },
      },
    },
    (req) => s.content.contentMetadataDetail(authOf(req), req.params.identifier, req.query.coerce_to_parent_course),
  );
  methodNotAllowed(app, '/api/v1/content-metadata/:identifier/', ['GET']);
}
