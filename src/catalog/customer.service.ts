/**
 * Enterprise customers (extension endpoints `/api/v1/enterprise-customers/`). Upstream reads the customer's slug,
 * learner-portal flag and `modified` from the LMS; here they live in our database and are managed through these
 * endpoints. A customer is also created automatically the first time a catalog names it.
 */
import type { Transaction } from 'kysely';
import type { AuthContext } from '../auth/roles.js';
import { hasProvisioningAdminAccess } from '../auth/roles.js';
import type { Db } from '../db/database.js';
import type { DB } from '../db/schema.js';
import { conflict, notFound } from '../shared/errors.js';
import { adminScope, missingPermission, requireAdminAccess, requireLearnerAccess } from './catalog-access.js';
import { publishCatalogEvent } from './catalog-events.js';
import type { CustomerCreateBody, CustomerPatchBody } from './catalog.schemas.js';
import { formatMicros } from './catalog-time.js';
import {
  countCustomers,
  fillCustomerName,
  findCustomer,
  insertCustomerIfAbsent,
  listCustomers,
  updateCustomer,
  type CustomerRecord,
} from './customer.repository.js';
import { uniqueViolation } from './db-errors.js';
import { parseUuid } from './membership-index.js';
import type { MembershipIndexService } from './membership-index.service.js';
import { drfPage, DRF_PAGE_SIZE, pageSizeOf, pageWindow, type DrfPage, type QueryValue, type RequestUrl } from './pagination.js';
import { slugify } from './python-compat.js';

export interface CustomerResponse {
  uuid: string;
  name: string;
  slug: string | null;
  active: boolean;
  enable_learner_portal: boolean;
  created: string;
  modified: string;
}

export function presentCustomer(c: CustomerRecord): CustomerResponse {
  return {
    uuid: c.uuid,
    name: c.name,
    slug: c.slug,
    active: c.active,
    enable_learner_portal: c.enableLearnerPortal,
    created: formatMicros(c.createdUs),
    modified: formatMicros(c.modifiedUs),
  };
}

/**
 * Create the customer unless it exists, inside the caller's transaction. Its slug is derived from the name
 * (suffixed with the uuid's first block when taken); without a name it has no slug and the learner portal off,
 * so enrollment URLs use the LMS form. An existing customer without a name gets this one.
 * Returns true when the customer was created.
 */
export async function ensureCustomer(trx: Transaction<DB>, uuid: string, name: string): Promise<boolean> {
  const base = slugify(name) || null;
  const candidates = base === null ? [null] : [base, `${base}-${uuid.slice(0, 8)}`, null];
  for (const slug of candidates) {
    if (await insertCustomerIfAbsent(trx, { uuid, name, slug, enableLearnerPortal: slug !== null })) return true;
    const existing = await findCustomer(trx, uuid);
    if (existing !== undefined) {
      if (existing.name === '' && name !== '') await fillCustomerName(trx, uuid, name);
      return false;
    }
    // Nothing inserted and no such customer: the slug belongs to another customer; try the next candidate.
  }
  // Unreachable: a customer without a slug can only conflict on its uuid.
  throw new Error(`could not create enterprise customer ${uuid}`);
}

export class CustomerService {
  readonly #db: Db;
  readonly #index: MembershipIndexService;

  constructor(deps: { db: Db; index: MembershipIndexService }) {
    this.#db = deps.db;
    this.#index = deps.index;
  }

  /** Customers the caller administers (all for superusers, provisioning and wildcard admins); P-drf. */
  async list(auth: AuthContext, params: { page?: QueryValue; page_size?: QueryValue }, url: RequestUrl): Promise<DrfPage<CustomerResponse>> {
    const scope = adminScope(auth);
    if (scope !== '*' && scope.length === 0) throw missingPermission('catalog.has_admin_access');
    const uuids = scope === '*' ? scope : scope.map((s) => parseUuid(s)).filter((s): s is string => s !== null);
    const db = this.#db.kysely;
    const count = await countCustomers(db, uuids);
    const window = pageWindow(count, params.page, pageSizeOf(params.page_size, DRF_PAGE_SIZE));
    const rows = count === 0 ? [] : await listCustomers(db, uuids, window.pageSize, window.offset);
    return drfPage(url, window, rows.map(presentCustomer));
  }

  /** Learners and admins of the customer, and provisioning admins. */
  async get(auth: AuthContext, uuidRaw: string): Promise<CustomerResponse> {
    if (!hasProvisioningAdminAccess(auth)) requireLearnerAccess(auth, uuidRaw);
    const uuid = parseUuid(uuidRaw);
    const row = uuid === null ? undefined : await findCustomer(this.#db.kysely, uuid);
    if (row === undefined) throw notFound('customer_not_found');
    return presentCustomer(row);
  }

  /** 201 with the customer; 409 when the uuid or the slug is taken. */
  async create(auth: AuthContext, body: CustomerCreateBody): Promise<CustomerResponse> {
    requireAdminAccess(auth, body.uuid, { provisioning: true });
    const uuid = parseUuid(body.uuid) as string;
    const row = await this.#db.transaction(async (trx) => {
      const created = await ensureCustomerStrict(trx, uuid, body);
      if (!created) throw conflict('customer_exists', `An enterprise customer with uuid ${uuid} already exists.`);
      await publishCatalogEvent(this.#db, trx, { type: 'customer', uuid });
      return (await findCustomer(trx, uuid)) as CustomerRecord;
    }, 'create customer');
    this.#index.putCustomer({ uuid, slug: row.slug, enableLearnerPortal: row.enableLearnerPortal, modifiedUs: row.modifiedUs });
    return presentCustomer(row);
  }

  /** Admins of the customer and provisioning admins. Changing the slug or the portal flag moves `modified`. */
  async update(auth: AuthContext, uuidRaw: string, body: CustomerPatchBody): Promise<CustomerResponse> {
    requireAdminAccess(auth, uuidRaw, { provisioning: true });
    const uuid = parseUuid(uuidRaw);
    if (uuid === null) throw notFound('customer_not_found');
    const row = await this.#db.transaction(async (trx) => {
      try {
        const updated = await updateCustomer(trx, uuid, {
          name: body.name,
          slug: body.slug,
          active: body.active,
          enableLearnerPortal: body.enable_learner_portal,
        });
        if (!updated) throw notFound('customer_not_found');
      } catch (err) {
        if (uniqueViolation(err) !== null) throw conflict('slug_taken', `An enterprise customer with slug "${String(body.slug)}" already exists.`);
        throw err;
      }
      await publishCatalogEvent(this.#db, trx, { type: 'customer', uuid });
      return (await findCustomer(trx, uuid)) as CustomerRecord;
    }, 'update customer');
    this.#index.putCustomer({ uuid, slug: row.slug, enableLearnerPortal: row.enableLearnerPortal, modifiedUs: row.modifiedUs });
    return presentCustomer(row);
  }
}

/** Explicit creation: a given slug must be free (409), a missing one is derived like {@link ensureCustomer}. */
async function ensureCustomerStrict(trx: Transaction<DB>, uuid: string, body: CustomerCreateBody): Promise<boolean> {
  const name = body.name ?? '';
  if (body.slug === undefined && body.active === undefined && body.enable_learner_portal === undefined) {
    return ensureCustomer(trx, uuid, name);
  }
  const slug = body.slug === undefined ? slugify(name) || null : body.slug;
  const inserted = await insertCustomerIfAbsent(trx, {
    uuid,
    name,
    slug,
    enableLearnerPortal: body.enable_learner_portal ?? slug !== null,
    active: body.active,
  });
  if (inserted) return true;
  if ((await findCustomer(trx, uuid)) !== undefined) return false;
  throw conflict('slug_taken', `An enterprise customer with slug "${String(slug)}" already exists.`);
}
