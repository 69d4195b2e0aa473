/**
 * `/api/v1/enterprise-catalogs/…` (reference §2.1, §2.2, §2.4, §2.5). Thin: schemas, one service call.
 * (`refresh_metadata/` belongs to the refresh module.)
 */
import type { HttpApp } from '../app-context.js';
import { authOf, methodNotAllowed, requestUrl, sendJson } from './catalog-http.js';
import type { CatalogServices } from './catalog-services.js';
import {
  CatalogCreateBody,
  CatalogListQuery,
  CatalogListResponse,
  CatalogParams,
  CatalogPatchBody,
  CatalogPutBody,
  CatalogDetailResponse,
  CatalogResponse,
  ContainsQuery,
  ContainsResponse,
  DiffBody,
  DiffQuery,
  DiffResponse,
  ErrorResponse,
  MetadataBody,
  MetadataQuery,
  MetadataResponse,
} from './catalog.schemas.js';
import { allValues } from './pagination.js';
import { Type } from 'typebox';

const tags = ['enterprise-catalogs'];
const BASE = '/api/v1/enterprise-catalogs';

export function catalogRoutes(app: HttpApp, s: CatalogServices): void {
  app.get(
    `${BASE}/`,
    {
      schema: {
        tags,
        summary: 'List catalogs the caller administers',
        description: 'Ordered by creation; everything for provisioning and wildcard admins. Learners get 403.',
        querystring: CatalogListQuery,
        response: { 200: CatalogListResponse, '4xx': ErrorResponse },
      },
    },
    (req) => s.catalogs.list(authOf(req), req.query, requestUrl(req)),
  );
  app.post(
    `${BASE}/`,
    {
      schema: {
        tags,
        summary: 'Create a catalog',
        description:
          'Resolves the catalog query by `catalog_query_uuid` or the filter hash, creates the customer on first use and ' +
          'schedules a refresh of the query. A taken catalog uuid is 409.',
        body: CatalogCreateBody,
        response: { 201: CatalogResponse, '4xx': ErrorResponse },
      },
    },
    async (req, reply) => reply.code(201).send(await s.catalogs.create(authOf(req), req.body)),
  );
  methodNotAllowed(app, `${BASE}/`, ['GET', 'POST']);

  app.get(
    `${BASE}/:uuid/`,
    {
      schema: { tags, summary: 'Read a catalog', params: CatalogParams, response: { 200: CatalogDetailResponse, '4xx': ErrorResponse } },
    },
    (req) => s.catalogs.get(authOf(req), req.params.uuid),
  );
  app.put(
    `${BASE}/:uuid/`,
    {
      schema: {
        tags,
        summary: 'Replace a catalog',
        description: 'A `content_filter` that another catalog query already has is 400.',
        params: CatalogParams,
        body: CatalogPutBody,
        response: { 200: CatalogResponse, '4xx': ErrorResponse },
      },
    },
    (req) => s.catalogs.update(authOf(req), req.params.uuid, req.body),
  );
  app.patch(
    `${BASE}/:uuid/`,
    {
      schema: {
        tags,
        summary: 'Update some fields of a catalog',
        params: CatalogParams,
        body: CatalogPatchBody,
        response: { 200: CatalogResponse, '4xx': ErrorResponse },
      },
    },
    (req) => s.catalogs.update(authOf(req), req.params.uuid, req.body),
  );
  app.delete(
    `${BASE}/:uuid/`,
    {
      schema: {
        tags,
        summary: 'Delete a catalog',
        params: CatalogParams,
        response: { 204: Type.Null({ description: 'deleted' }), '4xx': ErrorResponse },
      },
    },
    async (req, reply) => {
      await s.catalogs.remove(authOf(req), req.params.uuid);
      return reply.code(204).send(null);
    },
  );
  methodNotAllowed(app, `${BASE}/:uuid/`, ['GET', 'PUT', 'PATCH', 'DELETE']);

  app.get(
    `${BASE}/:uuid/contains_content_items/`,
    {
      schema: {
        tags,
        summary: 'Does the catalog contain any of these items?',
        description:
          'True if ANY key matches: its own key, its parent course (catalog holds runs), or — for a run key — the course ' +
          'holding it. Answered from memory.',
        params: CatalogParams,
        querystring: ContainsQuery,
        response: { 200: ContainsResponse, '4xx': ErrorResponse },
      },
    },
    (req) => s.content.catalogContains(authOf(req), req.params.uuid, req.query),
  );
  methodNotAllowed(app, `${BASE}/:uuid/contains_content_items/`, ['GET']);

  app.get(
    `${BASE}/:uuid/get_content_metadata/`,
    {
      schema: {
        tags,
        summary: "A page of the catalog's content metadata",
        description:
          'edx pagination (page_size ≤ 100) plus the catalog uuid, title and customer. Without `content_keys` only ' +
          'active content is listed; with them (≤ 100) the matching items, active or not.',
        params: CatalogParams,
        querystring: MetadataQuery,
        response: { 200: MetadataResponse, '4xx': ErrorResponse },
      },
    },
    async (req, reply) =>
      sendJson(reply, await s.content.contentMetadataJson(authOf(req), req.params.uuid, {
        contentKeys: req.query.content_keys === undefined ? null : allValues(req.query.content_keys),
        via: 'query',
        page: req.query.page,
        pageSize: req.query.page_size,
        traversePagination: req.query.traverse_pagination,
        url: requestUrl(req),
      })),
  );
  app.post(
    `${BASE}/:uuid/get_content_metadata/`,
    {
      schema: {
        tags,
        summary: 'Content metadata of any number of keys (extension)',
        description: 'Like GET with `content_keys`, the keys in the body without a limit; paging parameters in the query.',
        params: CatalogParams,
        querystring: MetadataQuery,
        body: MetadataBody,
        response: { 200: MetadataResponse, '4xx': ErrorResponse },
      },
    },
    async (req, reply) =>
      sendJson(reply, await s.content.contentMetadataJson(authOf(req), req.params.uuid, {
        contentKeys: req.body.content_keys,
        via: 'body',
        page: req.query.page,
        pageSize: req.query.page_size,
        traversePagination: req.query.traverse_pagination,
        url: requestUrl(req),
      })),
  );
  methodNotAllowed(app, `${BASE}/:uuid/get_content_metadata/`, ['GET', 'POST']);

  const diffDescription =
    '`items_found` (with `date_updated` = max of content, catalog and customer modified), `items_not_found`, ' +
    '`items_not_included`; exact key matching. Answered from memory.';
  app.get(
    `${BASE}/:uuid/generate_diff/`,
    {
      schema: {
        tags,
        summary: 'Diff the keys a client holds against the catalog (≤ 100 keys)',
        description: diffDescription,
        params: CatalogParams,
        querystring: DiffQuery,
        response: { 200: DiffResponse, '4xx': ErrorResponse },
      },
    },
    async (req, reply) => sendJson(reply, await s.content.generateDiffJson(authOf(req), req.params.uuid, allValues(req.query.content_keys), 'query')),
  );
  app.post(
    `${BASE}/:uuid/generate_diff/`,
    {
      schema: {
        tags,
        summary: 'Diff the keys a client holds against the catalog',
        description: `${diffDescription} An empty body means no keys.`,
        params: CatalogParams,
        body: DiffBody,
        response: { 200: DiffResponse, '4xx': ErrorResponse },
      },
    },
    async (req, reply) => {
      const keys = req.body?.content_keys;
      // The request does not keep its parsed body while the answer is computed (on the diff thread for many keys):
      // thousands of key strings per waiting request, copied by every young collection, made B4's collections slow.
      req.body = null;
      return sendJson(reply, await s.content.generateDiffJson(authOf(req), req.params.uuid, keys, 'body'));
    },
  );
  methodNotAllowed(app, `${BASE}/:uuid/generate_diff/`, ['GET', 'POST']);
}
