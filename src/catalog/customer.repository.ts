/**
 * Enterprise customers: the local stand-in for the LMS EnterpriseCustomer record upstream fetches (slug,
 * learner-portal flag, `modified`). One query per function; the caller owns the transaction.
 */
import { sql } from 'kysely';
import type { Executor } from '../db/database.js';
import { epochMicros } from './catalog-time.js';

export interface CustomerRecord {
  uuid: string;
  name: string;
  slug: string | null;
  active: boolean;
  enableLearnerPortal: boolean;
  createdUs: number;
  modifiedUs: number;
}

/** `'*'` = every customer; otherwise only these uuids. */
export type CustomerScope = '*' | readonly string[];

function customerSelect(executor: Executor) {
  return executor
    .selectFrom('enterprise_customer')
    .select([
      'uuid',
      'name',
      'slug',
      'active',
      'enable_learner_portal as enableLearnerPortal',
      epochMicros('enterprise_customer.created').as('createdUs'),
      epochMicros('enterprise_customer.modified').as('modifiedUs'),
    ]);
}

export function findCustomer(executor: Executor, uuid: string): Promise<CustomerRecord | undefined> {
  return customerSelect(executor).where('uuid', '=', uuid).executeTakeFirst();
}

function inScope(scope: CustomerScope) {
  return sql<boolean>`enterprise_customer.uuid = any(${sql.val(scope === '*' ? [] : [...scope])}::uuid[])`;
}

export async function countCustomers(executor: Executor, scope: CustomerScope): Promise<number> {
  const row = await executor
    .selectFrom('enterprise_customer')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .$if(scope !== '*', (qb) => qb.where(inScope(scope)))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Ordered by creation, then uuid (stable pages). */
export function listCustomers(executor: Executor, scope: CustomerScope, limit: number, offset: number): Promise<CustomerRecord[]> {
  return customerSelect(executor)
    .$if(scope !== '*', (qb) => qb.where(inScope(scope)))
    .orderBy('created')
    .orderBy('uuid')
    .limit(limit)
    .offset(offset)
    .execute();
}

/**
 * Create the customer unless it exists. Returns true when a row was inserted, false when nothing was (the uuid
 * exists — or the slug is taken, which the caller tells apart by looking the uuid up).
 */
export async function insertCustomerIfAbsent(
  executor: Executor,
  values: { uuid: string; name: string; slug: string | null; enableLearnerPortal?: boolean; active?: boolean },
): Promise<boolean> {
  const rows = await executor
    .insertInto('enterprise_customer')
    .values({
      uuid: values.uuid,
      name: values.name,
      slug: values.slug,
      enable_learner_portal: values.enableLearnerPortal,
      active: values.active,
    })
    .onConflict((oc) => oc.doNothing())
    .returning('uuid')
    .execute();
  return rows.length > 0;
}

/** Fill in the name of a customer created without one (a name change alone never moves `modified`). */
export async function fillCustomerName(executor: Executor, uuid: string, name: string): Promise<void> {
  await executor.updateTable('enterprise_customer').set({ name }).where('uuid', '=', uuid).where('name', '=', '').execute();
}

/**
 * Update the given fields. `modified` moves only when the slug or the learner-portal flag changes: those shape
 * enrollment URLs, which is what `content_last_modified` / `date_updated` tell consumers about.
 */
export async function updateCustomer(
  executor: Executor,
  uuid: string,
  patch: { name?: string; slug?: string | null; active?: boolean; enableLearnerPortal?: boolean },
): Promise<boolean> {
  const slugChanged = patch.slug === undefined ? sql<boolean>`false` : sql<boolean>`slug is distinct from ${patch.slug}`;
  const portalChanged =
    patch.enableLearnerPortal === undefined ? sql<boolean>`false` : sql<boolean>`enable_learner_portal <> ${patch.enableLearnerPortal}`;
  const r = await executor
    .updateTable('enterprise_customer')
    .set({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.slug !== undefined ? { slug: patch.slug } : {}),
      ...(patch.active !== undefined ? { active: patch.active } : {}),
      ...(patch.enableLearnerPortal !== undefined ? { enable_learner_portal: patch.enableLearnerPortal } : {}),
      modified: sql<Date>`case when ${slugChanged} or ${portalChanged} then now() else modified end`,
    })
    .where('uuid', '=', uuid)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
