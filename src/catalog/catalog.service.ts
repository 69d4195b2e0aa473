/**
 * Enterprise catalog CRUD (reference §2.1): visibility, provisioning admins, catalog query resolution by
 * `catalog_query_uuid` / filter hash / `query_title`, and the refresh trigger.
 *
 * Every write runs in one transaction that also publishes the change event and, when a catalog is created or its
 * query's filter changes, enqueues `refresh_catalog_query` — so the job exists exactly when the change commits.
 * The local membership index is updated right after the commit.
 *
 * Deliberate deviations from upstream (issue 3): a duplicate catalog uuid is a 409 (upstream: 500);
 * `catalog_query_uuid` and `query_title` are returned with their real values (upstream: null). And one for
 * tenant isolation: a catalog query shared with catalogs of enterprises the caller does not administer is never
 * rewritten in place by that caller — an implicit rewrite (PATCH/PUT without `catalog_query_uuid`) gives the
 * catalog a query of its own instead, an explicit one is refused (403).
 */
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { AuthContext } from '../auth/roles.js';
import { hasAdminAccess, hasProvisioningAdminAccess } from '../auth/roles.js';
import type { Db } from '../db/database.js';
import type { DB } from '../db/schema.js';
import type { JobQueue } from '../jobs/job-queue.js';
import { badRequest, conflict, notFound, type AppError } from '../shared/errors.js';
import { adminScope, missingPermission, requireAdminAccess } from './catalog-access.js';
import { publishCatalogEvent } from './catalog-events.js';
import {
  countCatalogs,
  deleteCatalog,
  enterprisesUsingQuery,
  findCatalog,
  findQueryByHash,
  findQueryById,
  findQueryByUuid,
  insertCatalog,
  insertQueryIfNewHash,
  listCatalogs,
  lockCatalog,
  updateCatalog,
  updateQuery,
  type CatalogRecord,
  type QueryRecord,
} from './catalog.repository.js';
import type { CatalogCreateBody, CatalogUpdateBody } from './catalog.schemas.js';
import { microsToIso } from './catalog-time.js';
import { presentCatalog, type CatalogResponse } from './content-presenter.js';
import { ensureCustomer } from './customer.service.js';
import { uniqueViolation } from './db-errors.js';
import { contentFilterHash, type PythonJsonValue } from './filter-hash.js';
import { parseUuid } from './membership-index.js';
import type { CatalogMeta, MembershipIndexService } from './membership-index.service.js';
import { drfPage, DRF_PAGE_SIZE, lastValue, pageSizeOf, pageWindow, type DrfPage, type QueryValue, type RequestUrl } from './pagination.js';

// DRF BooleanField spellings.
const TRUE_VALUES = new Set(['t', 'y', 'yes', 'true', 'on', '1']);
const FALSE_VALUES = new Set(['f', 'n', 'no', 'false', 'off', '0']);

/** DRF `BooleanField.to_internal_value`; edx-enterprise sends this flag JSON-encoded (`"true"`). */
function booleanField(field: string, value: boolean | string | number | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (TRUE_VALUES.has(v)) return true;
    if (FALSE_VALUES.has(v)) return false;
  }
  throw badRequest('invalid_boolean', `${field}: Must be a valid boolean.`, { [field]: ['Must be a valid boolean.'] });
}

/** `enabled_course_modes` is a JSON field: a list, or the JSON text of one (upstream's own default is a string). */
function courseModes(value: string | string[] | undefined): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** `{"catalog_query": ["… is not unique"]}`, upstream's 400 for a query whose filter or title another query has. */
function queryNotUnique(constraint: string): AppError {
  const field = constraint.includes('hash') ? 'content_filter_hash' : constraint.includes('title') ? 'title' : 'uuid';
  const message = `Catalog query with this ${field} is not unique`;
  return badRequest('catalog_query_not_unique', message, { catalog_query: [message] });
}

interface QueryChoice {
  id: number;
  /** The query was inserted by this request. */
  created: boolean;
  /** The query's filter was rewritten (its members must be refreshed). */
  filterChanged: boolean;
  /** The query row changed (filter, title or uuid): publish a query event. */
  rowChanged: boolean;
}

interface QueryRequest {
  filter: Record<string, unknown>;
  /** `catalog_query_uuid`, given or defaulted to the catalog's current query. */
  queryUuid: string | null;
  queryTitle: string | null;
  /** The caller named the query (`catalog_query_uuid` in the body). */
  explicit: boolean;
}

export class CatalogService {
  readonly #db: Db;
  readonly #index: MembershipIndexService;
  readonly #jobs: JobQueue;

  constructor(deps: { db: Db; index: MembershipIndexService; jobs: JobQueue }) {
    this.#db = deps.db;
    this.#index = deps.index;
    this.#jobs = deps.jobs;
  }

  /**
   * `GET enterprise-catalogs/` (P-drf, by `created`): everything for superusers, provisioning and wildcard
   * admins; otherwise the catalogs of the enterprises the caller administers; learners get 403.
   */
  async list(
    auth: AuthContext,
    params: { enterprise_customer?: string; page?: QueryValue; page_size?: QueryValue },
    url: RequestUrl,
  ): Promise<DrfPage<CatalogResponse>> {
    const scope = adminScope(auth);
    if (scope !== '*' && scope.length === 0) throw missingPermission('catalog.has_admin_access');
    let enterprise: string | undefined;
    const raw = lastValue(params.enterprise_customer);
    if (raw !== undefined && raw !== '') {
      enterprise = parseUuid(raw) ?? undefined;
      if (enterprise === undefined) {
        throw badRequest('invalid_enterprise_customer', 'enterprise_customer: Must be a valid UUID.', {
          enterprise_customer: ['Must be a valid UUID.'],
        });
      }
    }
    const filter = { scope: scope === '*' ? scope : scope.map((s) => parseUuid(s)).filter((s): s is string => s !== null), enterprise };
    const db = this.#db.kysely;
    const count = await countCatalogs(db, filter);
    const window = pageWindow(count, params.page, pageSizeOf(params.page_size, DRF_PAGE_SIZE));
    const rows = count === 0 ? [] : await listCatalogs(db, filter, window.pageSize, window.offset);
    await this.#index.ready();
    return drfPage(url, window, rows.map((r) => this.#present(r)));
  }

  /**
   * `GET enterprise-catalogs/{uuid}/`: 404 first, then admin (or provisioning admin) of its enterprise. Adds the
   * `content_version` extension (see `CatalogDetailResponse`).
   */
  async get(auth: AuthContext, uuidRaw: string): Promise<CatalogResponse & { content_version: string }> {
    const uuid = parseUuid(uuidRaw);
    const row = uuid === null ? undefined : await findCatalog(this.#db.kysely, uuid);
    if (row === undefined) throw notFound('catalog_not_found');
    requireAdminAccess(auth, row.enterpriseUuid, { provisioning: true });
    await this.#index.ready();
    return { ...this.#present(row), content_version: this.#index.catalogContentVersion(row.uuid) ?? '' };
  }

  /** `POST enterprise-catalogs/` → 201. The customer is created on first use; a refresh is enqueued. */
  async create(auth: AuthContext, body: CatalogCreateBody): Promise<CatalogResponse> {
    requireAdminAccess(auth, body.enterprise_customer, { provisioning: true });
    const enterprise = parseUuid(body.enterprise_customer) as string;
    const uuid = body.uuid !== undefined ? (parseUuid(body.uuid) as string) : randomUUID();
    const publishAudit = booleanField('publish_audit_enrollment_urls', body.publish_audit_enrollment_urls, false);
    const queryUuid = body.catalog_query_uuid != null ? parseUuid(body.catalog_query_uuid) : null;

    const { row, customerCreated } = await this.#db.transaction(async (trx) => {
      const customerCreated = await ensureCustomer(trx, enterprise, body.enterprise_customer_name ?? '');
      const query = await this.#resolveQuery(trx, auth, {
        filter: body.content_filter,
        queryUuid,
        queryTitle: body.query_title ?? null,
        explicit: queryUuid !== null,
      });
      const inserted = await insertCatalog(trx, {
        uuid,
        title: body.title,
        enterpriseUuid: enterprise,
        enterpriseName: body.enterprise_customer_name ?? '',
        queryId: query.id,
        enabledCourseModes: courseModes(body.enabled_course_modes),
        publishAuditEnrollmentUrls: publishAudit,
      });
      if (!inserted) throw conflict('catalog_exists', `An enterprise catalog with uuid ${uuid} already exists.`);
      await this.#announce(trx, { catalog: uuid, customer: customerCreated ? enterprise : null, query });
      await this.#jobs.enqueue('refresh_catalog_query', { queryId: query.id, reason: 'created' }, { dedupKey: String(query.id), executor: trx });
      return { row: (await findCatalog(trx, uuid)) as CatalogRecord, customerCreated };
    }, 'create catalog');

    if (customerCreated) await this.#index.apply({ type: 'customer', uuid: enterprise });
    this.#index.putCatalog(catalogMeta(row));
    return this.#present(row);
  }

  /**
   * `PUT`/`PATCH enterprise-catalogs/{uuid}/`. `content_filter`, `catalog_query_uuid` and `query_title` default
   * to the current query's, so a PATCH of the title keeps the query. A filter another query already has → 400.
   */
  async update(auth: AuthContext, uuidRaw: string, body: CatalogUpdateBody): Promise<CatalogResponse> {
    const uuid = parseUuid(uuidRaw);
    if (uuid === null) throw notFound('catalog_not_found');
    const { row, customerCreated } = await this.#db.transaction(async (trx) => {
      if (!(await lockCatalog(trx, uuid))) throw notFound('catalog_not_found');
      const current = (await findCatalog(trx, uuid)) as CatalogRecord;
      requireAdminAccess(auth, current.enterpriseUuid, { provisioning: true });

      let enterprise = current.enterpriseUuid;
      let customerCreated = false;
      if (body.enterprise_customer !== undefined && parseUuid(body.enterprise_customer) !== current.enterpriseUuid) {
        // Moving a catalog to another customer needs admin rights there too.
        requireAdminAccess(auth, body.enterprise_customer, { provisioning: true });
        enterprise = parseUuid(body.enterprise_customer) as string;
        customerCreated = await ensureCustomer(trx, enterprise, body.enterprise_customer_name ?? '');
      }

      const currentQuery = current.queryId === null ? undefined : await findQueryById(trx, current.queryId);
      const filter = body.content_filter ?? currentQuery?.contentFilter;
      let query: QueryChoice | null = null;
      if (filter !== undefined) {
        const explicit = body.catalog_query_uuid !== undefined;
        query = await this.#resolveQuery(trx, auth, {
          filter,
          queryUuid: explicit ? (body.catalog_query_uuid == null ? null : parseUuid(body.catalog_query_uuid)) : (currentQuery?.uuid ?? null),
          queryTitle: body.query_title !== undefined ? body.query_title : (currentQuery?.title ?? null),
          explicit,
        });
      }
      const queryId = query?.id ?? current.queryId;
      await updateCatalog(trx, uuid, {
        title: body.title ?? current.title,
        enterpriseUuid: enterprise,
        enterpriseName: body.enterprise_customer_name ?? current.enterpriseName,
        queryId,
        enabledCourseModes: courseModes(body.enabled_course_modes),
        publishAuditEnrollmentUrls: booleanField(
          'publish_audit_enrollment_urls',
          body.publish_audit_enrollment_urls,
          current.publishAuditEnrollmentUrls,
        ),
      });
      await this.#announce(trx, { catalog: uuid, customer: customerCreated ? enterprise : null, query });
      if (query !== null && (query.id !== current.queryId || query.filterChanged)) {
        await this.#jobs.enqueue(
          'refresh_catalog_query',
          { queryId: query.id, reason: query.created ? 'created' : 'filter_changed' },
          { dedupKey: String(query.id), executor: trx },
        );
      }
      return { row: (await findCatalog(trx, uuid)) as CatalogRecord, customerCreated };
    }, 'update catalog');

    if (customerCreated) await this.#index.apply({ type: 'customer', uuid: row.enterpriseUuid });
    this.#index.putCatalog(catalogMeta(row));
    return this.#present(row);
  }

  /** `DELETE enterprise-catalogs/{uuid}/` → 204; admins of its enterprise only (not provisioning admins). */
  async remove(auth: AuthContext, uuidRaw: string): Promise<void> {
    const uuid = parseUuid(uuidRaw);
    if (uuid === null) throw notFound('catalog_not_found');
    await this.#db.transaction(async (trx) => {
      const current = await findCatalog(trx, uuid);
      if (current === undefined) throw notFound('catalog_not_found');
      requireAdminAccess(auth, current.enterpriseUuid);
      await deleteCatalog(trx, uuid);
      await publishCatalogEvent(this.#db, trx, { type: 'catalog', uuid });
    }, 'delete catalog');
    this.#index.removeCatalog(uuid);
  }

  #present(row: CatalogRecord): CatalogResponse {
    const contentUs = this.#index.maxContentModifiedUs(row.queryId);
    return presentCatalog(
      { uuid: row.uuid, title: row.title, enterpriseUuid: row.enterpriseUuid, modified: microsToIso(row.modifiedUs) },
      {
        contentLastModified: contentUs === null ? null : microsToIso(contentUs),
        catalogQueryUuid: row.queryUuid,
        queryTitle: row.queryTitle,
      },
    );
  }

  async #announce(trx: Transaction<DB>, what: { catalog: string; customer: string | null; query: QueryChoice | null }): Promise<void> {
    await publishCatalogEvent(this.#db, trx, { type: 'catalog', uuid: what.catalog });
    if (what.customer !== null) await publishCatalogEvent(this.#db, trx, { type: 'customer', uuid: what.customer });
    if (what.query?.rowChanged === true) await publishCatalogEvent(this.#db, trx, { type: 'query', queryId: what.query.id });
  }

  /** May the caller rewrite this query? Only if they administer every enterprise whose catalogs use it. */
  async #mayRewrite(trx: Transaction<DB>, auth: AuthContext, queryId: number): Promise<boolean> {
    if (hasProvisioningAdminAccess(auth)) return true;
    const enterprises = await enterprisesUsingQuery(trx, queryId);
    return enterprises.every((e) => hasAdminAccess(auth, e));
  }

  /**
   * Upstream `find_and_modify_catalog_query`:
   * 1. `catalog_query_uuid` names an existing query → overwrite its filter, hash and title;
   * 2. it names an unknown one → the query with this filter takes that uuid and title, or a new one is created;
   * 3. no uuid → the query with this filter (deduplicated by hash), created if needed.
   * A hash or title another query holds → 400 `{"catalog_query": [...]}`.
   */
  async #resolveQuery(trx: Transaction<DB>, auth: AuthContext, req: QueryRequest): Promise<QueryChoice> {
    const hash = contentFilterHash(req.filter as PythonJsonValue);
    try {
      if (req.queryUuid !== null) {
        const existing = await findQueryByUuid(trx, req.queryUuid, { forUpdate: true });
        if (existing !== undefined) return await this.#rewriteQuery(trx, auth, existing, req, hash);
        const sameFilter = await findQueryByHash(trx, hash);
        if (sameFilter !== undefined) {
          const rename = await this.#mayRewrite(trx, auth, sameFilter.id);
          if (rename) await updateQuery(trx, sameFilter.id, { uuid: req.queryUuid, title: req.queryTitle });
          return { id: sameFilter.id, created: false, filterChanged: false, rowChanged: rename };
        }
        return await this.#getOrCreateByHash(trx, { ...req, queryUuid: req.queryUuid }, hash);
      }
      return await this.#getOrCreateByHash(trx, req, hash);
    } catch (err) {
      const constraint = uniqueViolation(err);
      if (constraint !== null) throw queryNotUnique(constraint);
      throw err;
    }
  }

  async #rewriteQuery(trx: Transaction<DB>, auth: AuthContext, existing: QueryRecord, req: QueryRequest, hash: string): Promise<QueryChoice> {
    const filterChanged = existing.contentFilterHash !== hash;
    if (!filterChanged && existing.title === req.queryTitle) {
      return { id: existing.id, created: false, filterChanged: false, rowChanged: false };
    }
    if (!(await this.#mayRewrite(trx, auth, existing.id))) {
      if (req.explicit) throw missingPermission('catalog.has_admin_access');
      // Copy on write: the catalog gets its own query; the shared one stays as the other enterprises use it.
      const other = filterChanged ? await findQueryByHash(trx, hash) : undefined;
      if (other !== undefined) throw queryNotUnique('content_filter_hash');
      const title = req.queryTitle === existing.title ? null : req.queryTitle;
      return this.#getOrCreateByHash(trx, { ...req, queryUuid: null, queryTitle: title }, hash);
    }
    await updateQuery(trx, existing.id, { contentFilter: req.filter, contentFilterHash: hash, title: req.queryTitle });
    return { id: existing.id, created: false, filterChanged, rowChanged: true };
  }

  async #getOrCreateByHash(trx: Transaction<DB>, req: QueryRequest, hash: string): Promise<QueryChoice> {
    const inserted = await insertQueryIfNewHash(trx, {
      uuid: req.queryUuid ?? randomUUID(),
      title: req.queryTitle,
      contentFilter: req.filter,
      contentFilterHash: hash,
    });
    if (inserted !== undefined) return { id: inserted.id, created: true, filterChanged: true, rowChanged: true };
    const existing = (await findQueryByHash(trx, hash)) as QueryRecord;
    return { id: existing.id, created: false, filterChanged: false, rowChanged: false };
  }
}

function catalogMeta(row: CatalogRecord): CatalogMeta {
  return {
    uuid: row.uuid,
    title: row.title,
    enterpriseUuid: row.enterpriseUuid,
    enterpriseName: row.enterpriseName,
    queryId: row.queryId,
    publishAuditEnrollmentUrls: row.publishAuditEnrollmentUrls,
    modifiedUs: row.modifiedUs,
  };
}
