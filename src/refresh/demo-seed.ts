/**
 * Demo data for `npm start` (`ecat serve --demo`): one customer with three catalogs of different filters over
 * the content source (the built-in sample dataset unless discovery is configured), refreshed before the banner
 * is printed so its curl examples return real content. Idempotent: fixed ids, inserts that skip existing rows,
 * and only queries never refreshed successfully are refreshed — a restart leaves the data as it is.
 */
import { sql } from 'kysely';
import type { AppContext } from '../app-context.js';
import { contentFilterHash } from '../catalog/filter-hash.js';
import { refreshDepsOf } from './refresh.module.js';
import { refreshQuery, type RefreshOutcome } from './refresh.pipeline.js';

export const DEMO_CUSTOMER = { uuid: 'd3e0c0de-0000-4000-8000-000000000001', name: 'Demo Enterprise', slug: 'demo-enterprise' } as const;

export const DEMO_CATALOGS = [
  {
    uuid: 'd3e0c0de-0000-4000-8000-0000000000c1',
    title: 'Demo: published edX courses',
    // edx-enterprise's default catalog filter.
    filter: {
      content_type: 'course',
      partner: 'edx',
      level_type: ['Introductory', 'Intermediate', 'Advanced'],
      availability: ['Current', 'Starting Soon', 'Upcoming'],
      status: 'published',
    },
  },
  {
    uuid: 'd3e0c0de-0000-4000-8000-0000000000c2',
    title: 'Demo: MITx and HarvardX courses and runs',
    filter: { org: ['MITx', 'HarvardX'], content_type: ['course', 'courserun'] },
  },
  {
    uuid: 'd3e0c0de-0000-4000-8000-0000000000c3',
    title: 'Demo: programs and learner pathways',
    filter: { content_type: ['program', 'learnerpathway'] },
  },
] as const;

export interface DemoSeed {
  customerUuid: string;
  catalogs: { uuid: string; title: string; queryId: number }[];
  /** Refreshes run by this call (empty on later starts). */
  refreshed: RefreshOutcome[];
  /** A course key in the first demo catalog (for a `contains_content_items` example), if it has any. */
  sampleCourseKey: string | null;
}

/** Insert the demo rows that are missing, then refresh demo queries that never refreshed successfully. */
export async function seedDemo(ctx: AppContext): Promise<DemoSeed> {
  const { db } = ctx;
  const catalogs = await db.transaction(async (trx) => {
    await trx
      .insertInto('enterprise_customer')
      .values({ uuid: DEMO_CUSTOMER.uuid, name: DEMO_CUSTOMER.name, slug: DEMO_CUSTOMER.slug })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const out: DemoSeed['catalogs'] = [];
    for (const c of DEMO_CATALOGS) {
      const hash = contentFilterHash(c.filter);
      await trx
        .insertInto('catalog_query')
        .values({ uuid: sql<string>`gen_random_uuid()`, content_filter: JSON.stringify(c.filter), content_filter_hash: hash })
        .onConflict((oc) => oc.column('content_filter_hash').doNothing())
        .execute();
      const query = await trx.selectFrom('catalog_query').select('id').where('content_filter_hash', '=', hash).executeTakeFirstOrThrow();
      await trx
        .insertInto('enterprise_catalog')
        .values({ uuid: c.uuid, title: c.title, enterprise_uuid: DEMO_CUSTOMER.uuid, enterprise_name: DEMO_CUSTOMER.name, catalog_query_id: query.id })
        .onConflict((oc) => oc.column('uuid').doNothing())
        .execute();
      out.push({ uuid: c.uuid, title: c.title, queryId: query.id });
    }
    return out;
  }, 'demo: seed');

  const stale = await db.kysely
    .selectFrom('catalog_query')
    .select('id')
    .where(
      'id',
      'in',
      catalogs.map((c) => c.queryId),
    )
    .where('last_refresh_success_at', 'is', null)
    .execute();
  const deps = refreshDepsOf(ctx);
  const refreshed: RefreshOutcome[] = [];
  for (const { id } of stale) refreshed.push(await refreshQuery(deps, { queryId: id, reason: 'created' }));
  const first = catalogs[0];
  const sample = first
    ? await db.kysely
        .selectFrom('catalog_query_membership as m')
        .innerJoin('content_metadata as c', 'c.id', 'm.content_metadata_id')
        .select('c.content_key')
        .where('m.catalog_query_id', '=', first.queryId)
        .where('c.content_type', '=', 'course')
        .orderBy('c.content_key')
        .limit(1)
        .executeTakeFirst()
    : undefined;
  return { customerUuid: DEMO_CUSTOMER.uuid, catalogs, refreshed, sampleCourseKey: sample?.content_key ?? null };
}
