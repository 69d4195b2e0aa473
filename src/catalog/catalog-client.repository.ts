/**
 * Reads for the channels' in-process catalog client that the v1 API answers in several requests but a transmission
 * run needs together, at its start: one statement instead of three (the customer, the count and the page of its
 * catalogs), which matters on the embedded database's single session when many configurations run.
 */
import { sql } from 'kysely';
import type { Executor } from '../db/database.js';

export interface CustomerCatalogs {
  active: boolean;
  /** The customer's catalogs, oldest first (as `GET enterprise-catalogs/?enterprise_customer=` lists them). */
  catalogs: Array<{ uuid: string; title: string }>;
}

/** A customer's `active` flag and catalogs; undefined when there is no such customer. */
export async function customerCatalogs(executor: Executor, customerUuid: string): Promise<CustomerCatalogs | undefined> {
  const { rows } = await sql<CustomerCatalogs>`
    select cu.active,
      coalesce(
        (select json_agg(json_build_object('uuid', c.uuid, 'title', c.title) order by c.created, c.uuid)
          from enterprise_catalog c where c.enterprise_uuid = cu.uuid),
        '[]'::json
      ) as catalogs
    from enterprise_customer cu
    where cu.uuid = ${customerUuid}`.execute(executor);
  return rows[0];
}
