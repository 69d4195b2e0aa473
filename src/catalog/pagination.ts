/**
 * The two pagination formats of enterprise-catalog (reference §2):
 * - **P-edx** (`edx_rest_framework_extensions` DefaultPagination): `page`, `page_size` (default 10, max 100);
 *   body `{next, previous, count, num_pages, current_page, start, results}`.
 * - **P-drf** (DRF PageNumberPagination + `page_size`): default 10, no max; body `{count, next, previous, results}`.
 *
 * `next`/`previous` are absolute URLs built like DRF's `replace_query_param(request.build_absolute_uri(), …)`:
 * the request's own URL with `page` replaced (or removed for page 1) and the query re-encoded with its
 * parameters sorted by name. Pure: the caller passes the request URL and the total count.
 */
import { AppError } from '../shared/errors.js';
import { quotePlus, unquote } from './python-compat.js';
import { compareCodePoints } from './filter-hash.js';

/** The request URL, as the client addressed it. */
export interface RequestUrl {
  /** `scheme://host[:port]` from the request; empty for in-process callers (links are then relative). */
  readonly origin: string;
  /** Path without the query. */
  readonly path: string;
  /** Raw query string without `?`. */
  readonly query: string;
}

/** A query parameter as Fastify hands it over: absent, one value, or the list a repeated parameter gives. */
export type QueryValue = string | readonly string[] | undefined;

/** The last value of a repeated parameter, as Django's `QueryDict.get` / `query_params[...]`. */
export function lastValue(value: QueryValue): string | undefined {
  return typeof value === 'string' ? value : value?.[value.length - 1];
}

/** Every value of a (possibly repeated) parameter, as Django's `getlist`. */
export function allValues(value: QueryValue): string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : [...value];
}

const PY_INT = /^\s*[+-]?\d+\s*$/;

/**
 * DRF `get_page_size`: `page_size` must parse as a positive integer (else the default applies); values above
 * `max` are cut to `max`.
 */
export function pageSizeOf(raw: QueryValue, defaults: { size: number; max?: number }): number {
  const v = lastValue(raw);
  if (v === undefined || !PY_INT.test(v)) return defaults.size;
  const n = Number(v.trim());
  if (n <= 0) return defaults.size;
  return defaults.max !== undefined ? Math.min(n, defaults.max) : n;
}

export interface PageWindow {
  /** 1-based page number. */
  readonly page: number;
  readonly pageSize: number;
  readonly numPages: number;
  readonly offset: number;
  readonly count: number;
}

/**
 * Django's `Paginator.page(number)` as DRF calls it: `last` means the last page; anything that is not an integer
 * in 1..num_pages is 404 `{"detail": "Invalid page."}` (page 1 of an empty list is fine).
 */
export function pageWindow(count: number, pageRaw: QueryValue, pageSize: number): PageWindow {
  const numPages = count === 0 ? 1 : Math.ceil(count / pageSize);
  const raw = lastValue(pageRaw) ?? '1';
  let page: number;
  if (raw === 'last') page = numPages;
  else if (PY_INT.test(raw)) page = Number(raw.trim());
  else throw invalidPage();
  if (page < 1 || page > numPages) throw invalidPage();
  return { page, pageSize, numPages, offset: (page - 1) * pageSize, count };
}

function invalidPage(): AppError {
  return new AppError('not_found', 'invalid_page', 'Invalid page.');
}

/** `parse_qs(query, keep_blank_values=True)`: decoded names → values, first-seen order. */
function parseQueryKeepBlank(query: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (query === '') return out;
  for (const field of query.split('&')) {
    if (field === '') continue;
    const eq = field.indexOf('=');
    const name = unquote((eq < 0 ? field : field.slice(0, eq)).replaceAll('+', ' '));
    const value = eq < 0 ? '' : unquote(field.slice(eq + 1).replaceAll('+', ' '));
    const list = out.get(name);
    if (list === undefined) out.set(name, [value]);
    else list.push(value);
  }
  return out;
}

/**
 * DRF `replace_query_param(url, 'page', n)` (or `remove_query_param` when `page` is null): the query re-encoded
 * with names sorted and `quote_plus` values.
 */
export function pageLink(url: RequestUrl, page: number | null): string {
  const params = parseQueryKeepBlank(url.query);
  if (page === null) params.delete('page');
  else params.set('page', [String(page)]);
  const pairs: string[] = [];
  for (const name of [...params.keys()].sort(compareCodePoints)) {
    for (const v of params.get(name) as string[]) pairs.push(`${quotePlus(name)}=${quotePlus(v)}`);
  }
  return `${url.origin}${url.path}${pairs.length > 0 ? `?${pairs.join('&')}` : ''}`;
}

function nextLink(url: RequestUrl, w: PageWindow): string | null {
  return w.page < w.numPages ? pageLink(url, w.page + 1) : null;
}

function previousLink(url: RequestUrl, w: PageWindow): string | null {
  if (w.page <= 1) return null;
  return pageLink(url, w.page - 1 === 1 ? null : w.page - 1);
}

export interface EdxPage<T> {
  next: string | null;
  previous: string | null;
  count: number;
  num_pages: number;
  current_page: number;
  start: number;
  results: T[];
}

/** P-edx envelope, keys in upstream order. */
export function edxPage<T>(url: RequestUrl, w: PageWindow, results: T[]): EdxPage<T> {
  return {
    next: nextLink(url, w),
    previous: previousLink(url, w),
    count: w.count,
    num_pages: w.numPages,
    current_page: w.page,
    start: w.offset,
    results,
  };
}

export interface DrfPage<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

/** P-drf envelope, keys in upstream order. */
export function drfPage<T>(url: RequestUrl, w: PageWindow, results: T[]): DrfPage<T> {
  return { count: w.count, next: nextLink(url, w), previous: previousLink(url, w), results };
}

/** P-edx page-size rules (`get_content_metadata`, `catalog-queries`). */
export const EDX_PAGE_SIZE = { size: 10, max: 100 } as const;
/** P-drf page-size rules (catalog CRUD list, `content-metadata`, customers). */
export const DRF_PAGE_SIZE = { size: 10 } as const;
