/**
 * `catalog-queries` (reference §2.7): read-only access to the deduplicated content filters, the lookup by
 * `content_filter_hash` edx-enterprise uses, and the hash of an arbitrary filter.
 *
 * Access: superusers, provisioning admins and wildcard admins see every query; an enterprise admin sees the
 * queries used by catalogs of the enterprises they administer; anyone else gets 403.
 */
import type { AuthContext } from '../auth/roles.js';
import type { Db } from '../db/database.js';
import { AppError, badRequest, notFound } from '../shared/errors.js';
import { adminScope, missingPermission } from './catalog-access.js';
import { countQueries, findQueryInScope, listQueries, type EnterpriseScope, type QueryRecord } from './catalog.repository.js';
import { contentFilterHash, type PythonJsonValue } from './filter-hash.js';
import { edxPage, EDX_PAGE_SIZE, lastValue, pageSizeOf, pageWindow, type EdxPage, type QueryValue, type RequestUrl } from './pagination.js';

export interface QueryResponse {
  uuid: string;
  content_filter: Record<string, unknown>;
  content_filter_hash: string;
  title: string | null;
}

/** `CatalogQuerySerializer`. */
export function presentQuery(q: QueryRecord): QueryResponse {
  return { uuid: q.uuid, content_filter: q.contentFilter, content_filter_hash: q.contentFilterHash, title: q.title };
}

const HASH_PARAM_MESSAGE = 'You must provide at least one of the following query parameters: hash.';
const QUERY_NOT_FOUND = 'Catalog query not found.';

export class CatalogQueryService {
  readonly #db: Db;

  constructor(deps: { db: Db }) {
    this.#db = deps.db;
  }

  #scope(auth: AuthContext): EnterpriseScope {
    const scope = adminScope(auth);
    if (scope !== '*' && scope.length === 0) throw missingPermission('catalog.has_admin_access');
    return scope;
  }

  /** `GET catalog-queries/` (P-edx). */
  async list(auth: AuthContext, params: { page?: QueryValue; page_size?: QueryValue }, url: RequestUrl): Promise<EdxPage<QueryResponse>> {
    const scope = this.#scope(auth);
    const db = this.#db.kysely;
    const count = await countQueries(db, scope);
    const window = pageWindow(count, params.page, pageSizeOf(params.page_size, EDX_PAGE_SIZE));
    const rows = count === 0 ? [] : await listQueries(db, scope, window.pageSize, window.offset);
    return edxPage(url, window, rows.map(presentQuery));
  }

  /** `GET catalog-queries/{id}/`: 404 when unknown or outside the caller's enterprises. */
  async get(auth: AuthContext, id: string): Promise<QueryResponse> {
    const scope = this.#scope(auth);
    if (!/^\d{1,9}$/.test(id)) throw notFound('catalog_query_not_found');
    const row = await findQueryInScope(this.#db.kysely, scope, { id: Number(id) });
    if (row === undefined) throw notFound('catalog_query_not_found');
    return presentQuery(row);
  }

  /** `GET catalog-queries/get_query_by_hash?hash=` with upstream's three errors. */
  async getByHash(auth: AuthContext, hash: QueryValue): Promise<QueryResponse> {
    const scope = this.#scope(auth);
    const value = lastValue(hash);
    if (value === undefined || value === '') throw badRequest('missing_hash', HASH_PARAM_MESSAGE, [HASH_PARAM_MESSAGE]);
    if (!/^[0-9a-fA-F]{32}$/.test(value)) throw badRequest('invalid_hash', 'Invalid filter hash.', { hash: ['Invalid filter hash.'] });
    const row = await findQueryInScope(this.#db.kysely, scope, { hash: value.toLowerCase() });
    if (row === undefined) throw new AppError('not_found', 'catalog_query_not_found', QUERY_NOT_FOUND);
    return presentQuery(row);
  }

  /**
   * `GET catalog-queries/get_content_filter_hash` with the filter as the (JSON) request body — a body on a GET,
   * as edx-enterprise sends it. An empty body hashes `{}`; unparseable JSON is a 400 with Python's message.
   */
  async hashOf(auth: AuthContext, body: string): Promise<string> {
    this.#scope(auth);
    let filter: unknown = {};
    if (body.trim() !== '') {
      try {
        filter = JSON.parse(body);
      } catch (err) {
        throw badRequest('invalid_catalog_query', `Failed to parse catalog query: JSON parse error - ${pythonJsonError(body, err)}`);
      }
    }
    return contentFilterHash(filter as PythonJsonValue);
  }
}

/** Line and column of `pos` in `text`, 1-based, as Python's JSONDecodeError reports them. */
function lineCol(text: string, pos: number): string {
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const col = pos - (before.lastIndexOf('\n') + 1) + 1;
  return `line ${line} column ${col} (char ${pos})`;
}

/**
 * Python's `json.loads` message for common failures: a document that does not start with a value gets
 * `Expecting value: line 1 column 1 (char 0)`, trailing text `Extra data: …`; other cases reuse the position
 * V8 reports.
 */
export function pythonJsonError(text: string, err: unknown): string {
  const start = text.length - text.trimStart().length;
  if (!/^[[{"\-0-9tfnNI]/.test(text.slice(start))) return `Expecting value: ${lineCol(text, start)}`;
  const message = err instanceof Error ? err.message : '';
  const at = /position (\d+)/.exec(message);
  const pos = at ? Number(at[1]) : text.length;
  if (/after JSON/i.test(message)) return `Extra data: ${lineCol(text, pos)}`;
  if (/property name/i.test(message)) return `Expecting property name enclosed in double quotes: ${lineCol(text, pos)}`;
  return `Expecting value: ${lineCol(text, pos)}`;
}
