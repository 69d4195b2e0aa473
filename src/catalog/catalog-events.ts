/**
 * Change events of the catalog data, published with NOTIFY inside the writing transaction (so they are delivered
 * only if it commits) and consumed by every process's membership index and caches. With one embedded process the
 * same path is used, so there is one code path for both modes.
 */
import type { Db, Executor } from '../db/database.js';

export const CATALOG_EVENTS_CHANNEL = 'ecat_catalog_changes';

export type CatalogEvent =
  /** The members of a query changed (refresh, or a query's filter changed). */
  | { type: 'query_membership'; queryId: number }
  /** Content rows changed (JSON, type or parent key). `ids` omitted = too many to list: reload what is needed. */
  | { type: 'content'; ids?: number[] }
  /** A catalog was created, updated or deleted. */
  | { type: 'catalog'; uuid: string }
  /** A customer changed (slug, learner portal flag, name, active). */
  | { type: 'customer'; uuid: string }
  /** A query was created, changed or deleted. */
  | { type: 'query'; queryId: number };

/** NOTIFY payloads are limited to 8000 bytes; longer id lists are sent as "reload what you need". */
const MAX_IDS = 500;

export function encodeCatalogEvent(event: CatalogEvent): string {
  if (event.type === 'content' && event.ids && event.ids.length > MAX_IDS) return JSON.stringify({ type: 'content' });
  return JSON.stringify(event);
}

export function decodeCatalogEvent(payload: string): CatalogEvent | null {
  try {
    const e = JSON.parse(payload) as CatalogEvent;
    return typeof e === 'object' && e !== null && typeof e.type === 'string' ? e : null;
  } catch {
    return null;
  }
}

/** Publish `event`; pass the transaction that made the change so it is delivered on commit. */
export async function publishCatalogEvent(db: Db, executor: Executor, event: CatalogEvent): Promise<void> {
  await db.notify(CATALOG_EVENTS_CHANNEL, encodeCatalogEvent(event), executor);
}
