/**
 * `/api/v1/enterprise-customer/{uuid}/…` (reference §2.3, upstream's customer viewset) and the extension
 * `/api/v1/enterprise-customers/` (customer records: slug, learner portal). Thin: schemas, one service call.
 */
import type { HttpApp } from '../app-context.js';
import { authOf, methodNotAllowed, requestUrl } from './catalog-http.js';
import type { CatalogServices } from './catalog-services.js';
import {
  ContainsQuery,
  ContainsResponse,
  ContentItem,
  CustomerContentParams,
  CustomerContentQuery,
  CustomerCreateBody,
  CustomerListResponse,
  CustomerParams,
  CustomerPatchBody,
  CustomerResponse,
  CustomerUuidParams,
  ErrorResponse,
  FilterBody,
  FilterResponse,
  PageQuery,
} from './catalog.schemas.js';

const BASE = '/api/v1/enterprise-customer/:enterprise_uuid';

export function customerRoutes(app: HttpApp, s: CatalogServices): void {
  const tags = ['enterprise-customer'];
  app.get(
    `${BASE}/contains_content_items/`,
    {
      schema: {
        tags,
        summary: "Does any of the customer's catalogs contain any of these items?",
        description: 'With `get_catalogs_containing_specified_content_ids` (or `get_catalog_list`) also `catalog_list`.',
        params: CustomerParams,
        querystring: ContainsQuery,
        response: { 200: ContainsResponse, '4xx': ErrorResponse },
      },
    },
    (req) => s.content.customerContains(authOf(req), req.params.enterprise_uuid, req.query),
  );
  methodNotAllowed(app, `${BASE}/contains_content_items/`, ['GET']);

  app.post(
    `${BASE}/filter_content_items/`,
    {
      schema: {
        tags,
        summary: "The requested keys that are in the customer's catalogs",
        description: "`catalog_uuids` narrows the search to those of the customer's catalogs.",
        params: CustomerParams,
        body: FilterBody,
        response: { 200: FilterResponse, '4xx': ErrorResponse },
      },
    },
    (req) => s.content.filterContentItems(authOf(req), req.params.enterprise_uuid, req.body ?? {}),
  );
  methodNotAllowed(app, `${BASE}/filter_content_items/`, ['POST']);

  app.get(
    `${BASE}/content-metadata/:content_identifier/`,
    {
      schema: {
        tags,
        summary: "One item from the customer's catalogs, by key or uuid",
        description: 'A course-run key returns its course when a catalog holds the course.',
        params: CustomerContentParams,
        querystring: CustomerContentQuery,
        response: { 200: ContentItem, '4xx': ErrorResponse },
      },
    },
    (req) =>
      s.content.customerContent(authOf(req), req.params.enterprise_uuid, req.params.content_identifier, req.query.skip_customer_fetch),
  );
  methodNotAllowed(app, `${BASE}/content-metadata/:content_identifier/`, ['GET']);

  const extTags = ['enterprise-customers'];
  app.get(
    '/api/v1/enterprise-customers/',
    {
      schema: {
        tags: extTags,
        summary: 'List the customers the caller administers (extension)',
        querystring: PageQuery,
        response: { 200: CustomerListResponse, '4xx': ErrorResponse },
      },
    },
    (req) => s.customers.list(authOf(req), req.query, requestUrl(req)),
  );
  app.post(
    '/api/v1/enterprise-customers/',
    {
      schema: {
        tags: extTags,
        summary: 'Create a customer (extension)',
        description: 'A taken uuid or slug is 409. Without a slug one is derived from the name.',
        body: CustomerCreateBody,
        response: { 201: CustomerResponse, '4xx': ErrorResponse },
      },
    },
    async (req, reply) => reply.code(201).send(await s.customers.create(authOf(req), req.body)),
  );
  methodNotAllowed(app, '/api/v1/enterprise-customers/', ['GET', 'POST']);

  app.get(
    '/api/v1/enterprise-customers/:uuid/',
    {
      schema: {
        tags: extTags,
        summary: 'Read a customer (extension)',
        params: CustomerUuidParams,
        response: { 200: CustomerResponse, '4xx': ErrorResponse },
      },
    },
    (req) => s.customers.get(authOf(req), req.params.uuid),
  );
  app.patch(
    '/api/v1/enterprise-customers/:uuid/',
    {
      schema: {
        tags: extTags,
        summary: 'Update a customer (extension)',
        description: "Changing the slug or the learner-portal flag moves the customer's `modified` (enrollment URLs change).",
        params: CustomerUuidParams,
        body: CustomerPatchBody,
        response: { 200: CustomerResponse, '4xx': ErrorResponse },
      },
    },
    (req) => s.customers.update(authOf(req), req.params.uuid, req.body),
  );
  methodNotAllowed(app, '/api/v1/enterprise-customers/:uuid/', ['GET', 'PATCH']);
}
