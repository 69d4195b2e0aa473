/**
 * Pre-serialised content items for `get_content_metadata` and `/content-metadata/`.
 *
 * A presented item ({@link presentContentItem}) is the row's JSON plus a few fields that depend on the catalog
 * and customer it is served for. A {@link ContentFragment} holds everything that does not — as JSON text, once per
 * row version — and {@link writeContentItem} splices the catalog-specific fields in per request, computed exactly
 * as {@link presentContentItem} computes them. So a page is built by copying bytes instead of reading, parsing,
 * copying and re-serialising ~17 KB of JSON per course. `JSON.parse` of the output equals the presenter's item
 * (key order may differ: spliced fields come last); `content-fragment.property.test.ts` checks that.
 */
import {
  contentEnrollmentUrl,
  contentLastModified,
  EXEC_ED_2U_COURSE_TYPE,
  EXEC_ED_2U_ENTITLEMENT_MODE,
  isAnyCourseRunActive,
  enterpriseUtmContext,
  type ContentPresenterContext,
  type JsonObject,
  type JsonValue,
  type Timestamp,
} from './content-presenter.js';
import { microsToIso } from './catalog-time.js';
import { updateQueryParameters } from './python-compat.js';

/** The row fields a fragment is built from. */
export interface FragmentSource {
  readonly contentKey: string;
  readonly contentType: string;
  readonly parentContentKey: string | null;
  readonly jsonMetadata: Readonly<JsonObject>;
}

/** A nested course run of a course whose runs may get catalog-specific fields. */
type RunFragment =
  /** Not an object with a string `key`: never changed, served as this text. */
  | { readonly key: null; readonly text: Buffer }
  /**
   * `head` is `{` plus every member except `parent_content_key` and `enrollment_url` (never empty: `key` is one),
   * without the closing brace; `own` is those two members as stored (`,"…":…` each, usually empty).
   */
  | { readonly key: string; readonly head: Buffer; readonly own: string };

/** The catalog-independent part of one presented item. */
export interface ContentFragment {
  readonly contentKey: string;
  readonly contentType: string;
  readonly parentContentKey: string | null;
  /**
   * `{` plus every member that does not depend on the catalog (never empty: `parent_content_key` is always one),
   * without the closing brace.
   */
  readonly head: Buffer;
  /** A non-empty string `marketing_url`, which gets UTM parameters per catalog; otherwise null (it is in `head`). */
  readonly marketingUrl: string | null;
  /** course/courserun: `enrollment_url` and `xapi_activity_id` as stored, served without a catalog (`,"…":…`). */
  readonly storedUrlMembers: string;
  /** course/courserun: the JSON `key` the xAPI activity id is built from, when a non-empty string. */
  readonly xapiKey: string | null;
  /** course/courserun: the parts of the JSON that {@link contentEnrollmentUrl} reads, and nothing else. */
  readonly enrollmentJson: JsonObject;
  /** A course's runs when they may get URLs (an array, not exec-ed 2U); null when `course_runs` is in `head`. */
  readonly runs: readonly RunFragment[] | null;
  /** Approximate memory held, for the cache bound (including an allowance for {@link splice}). */
  readonly bytes: number;
  /** The spliced texts for the last context this fragment was served in (see {@link ItemSplicer}). */
  splice: Splice | null;
}

const isObject = (v: JsonValue | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `"name":value` members of `obj`, comma-separated, leaving out `skip`. */
function members(obj: Readonly<JsonObject>, skip: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const name of Object.keys(obj)) {
    if (!skip.has(name)) out.push(`${JSON.stringify(name)}:${JSON.stringify(obj[name])}`);
  }
  return out;
}

/** The `,"name":value` members of `obj` named in `names` that it has, in `names` order. */
function storedMembers(obj: Readonly<JsonObject>, names: readonly string[]): string {
  let out = '';
  for (const name of names) if (Object.hasOwn(obj, name)) out += `,${JSON.stringify(name)}:${JSON.stringify(obj[name])}`;
  return out;
}

const URL_MEMBERS = ['enrollment_url', 'xapi_activity_id'] as const;
const RUN_SPLICED = ['parent_content_key', 'enrollment_url'] as const;
const RUN_SPLICED_SET: ReadonlySet<string> = new Set(RUN_SPLICED);
/** Rough per-object overhead (object headers, Buffer bookkeeping) added to the byte count. */
const OVERHEAD = 160;
/** Bytes counted for the remembered splice, per item and per nested run (URLs, timestamps, buffer headers). */
const SPLICE_ALLOWANCE = 400;

/**
 * The JSON {@link contentEnrollmentUrl} needs: `course_type`, the exec-ed entitlements' mode and sku, the advertised
 * run uuid and the run it resolves to. Keeping only these keeps the fragment small; the equivalence test holds the
 * two in step.
 */
function enrollmentJsonOf(json: Readonly<JsonObject>): JsonObject {
  const out: JsonObject = {};
  if (Object.hasOwn(json, 'course_type')) out.course_type = json.course_type as JsonValue;
  if (Array.isArray(json.entitlements)) {
    out.entitlements = json.entitlements
      .filter((e): e is JsonObject => isObject(e) && e.mode === EXEC_ED_2U_ENTITLEMENT_MODE)
      .map((e): JsonObject => (Object.hasOwn(e, 'sku') ? { mode: e.mode as JsonValue, sku: e.sku as JsonValue } : { mode: e.mode as JsonValue }));
  }
  const advertised = json.advertised_course_run_uuid;
  if (advertised !== undefined) {
    out.advertised_course_run_uuid = advertised;
    if (Array.isArray(json.course_runs)) {
      const run = json.course_runs.find((r) => isObject(r) && r.uuid === advertised && typeof r.key === 'string' && r.key !== '');
      out.course_runs = run === undefined ? [] : [{ uuid: advertised, key: (run as JsonObject).key as JsonValue }];
    }
  }
  return out;
}

/** Builds the catalog-independent part of a row's presented item (see {@link presentContentItem} for the rules). */
export function buildContentFragment(row: FragmentSource): ContentFragment {
  const json = row.jsonMetadata;
  const isCourseOrRun = row.contentType === 'course' || row.contentType === 'courserun';
  const isCourse = row.contentType === 'course';
  const execEd = isCourse && json.course_type === EXEC_ED_2U_COURSE_TYPE;
  const splicedRuns = isCourse && !execEd && Array.isArray(json.course_runs);

  // Members computed here or per request replace the stored ones of the same name.
  const skip = new Set(['parent_content_key', 'content_last_modified', 'product_source']);
  const marketing = json.marketing_url;
  const marketingUrl = typeof marketing === 'string' && marketing !== '' ? marketing : null;
  if (marketingUrl !== null) skip.add('marketing_url');
  if (isCourseOrRun) for (const name of URL_MEMBERS) skip.add(name);
  if (isCourse) skip.add('active');
  if (splicedRuns) skip.add('course_runs');
  if (row.contentType === 'program') skip.add('enrollment_url');

  const parts = members(json, skip);
  parts.push(`"parent_content_key":${JSON.stringify(row.parentContentKey)}`);
  const productSource = json.product_source;
  if (typeof productSource === 'string' && productSource !== '') {
    parts.push(`"product_source":${JSON.stringify({ name: productSource, slug: null, description: null })}`);
  } else if (productSource !== undefined) {
    parts.push(`"product_source":${JSON.stringify(productSource)}`);
  }
  if (isCourse) parts.push(`"active":${isAnyCourseRunActive(json.course_runs)}`);
  if (row.contentType === 'program') parts.push('"enrollment_url":null');
  const head = Buffer.from(`{${parts.join(',')}`);

  let bytes = OVERHEAD + head.length + row.contentKey.length * 2;
  let runs: RunFragment[] | null = null;
  if (splicedRuns) {
    runs = (json.course_runs as JsonValue[]).map((run): RunFragment => {
      if (!isObject(run) || typeof run.key !== 'string') {
        const text = Buffer.from(JSON.stringify(run));
        bytes += OVERHEAD + text.length;
        return { key: null, text };
      }
      const runHead = Buffer.from(`{${members(run, RUN_SPLICED_SET).join(',')}`);
      const own = storedMembers(run, RUN_SPLICED);
      bytes += OVERHEAD + runHead.length + (run.key.length + own.length) * 2;
      return { key: run.key, head: runHead, own };
    });
  }
  const storedUrlMembers = isCourseOrRun ? storedMembers(json, URL_MEMBERS) : '';
  const xapiKey = isCourseOrRun && typeof json.key === 'string' && json.key !== '' ? json.key : null;
  const enrollmentJson = isCourseOrRun ? enrollmentJsonOf(json) : {};
  bytes += (storedUrlMembers.length + (marketingUrl?.length ?? 0) + (xapiKey?.length ?? 0)) * 2;
  bytes += JSON.stringify(enrollmentJson).length * 2 + OVERHEAD;
  return {
    contentKey: row.contentKey,
    contentType: row.contentType,
    parentContentKey: row.parentContentKey,
    head,
    marketingUrl,
    storedUrlMembers,
    xapiKey,
    enrollmentJson,
    runs,
    bytes: bytes + SPLICE_ALLOWANCE * (1 + (runs?.length ?? 0)),
    splice: null,
  };
}

/**
 * A JSON body under construction: cached byte fragments and small computed strings, in order. {@link toBuffer}
 * copies them into one buffer.
 */
export class JsonBody {
  #parts: Array<Buffer | string> = [];

  text(s: string): void {
    this.#parts.push(s);
  }

  bytes(b: Buffer): void {
    this.#parts.push(b);
  }

  /** The parts so far as one buffer; the body is then empty again. */
  toBuffer(): Buffer {
    let size = 0;
    for (const p of this.#parts) size += typeof p === 'string' ? Buffer.byteLength(p) : p.length;
    const out = Buffer.allocUnsafe(size);
    let at = 0;
    for (const p of this.#parts) at += typeof p === 'string' ? out.write(p, at) : p.copy(out, at);
    this.#parts = [];
    return out;
  }
}

/** The spliced texts of a fragment for one context: the item is `head`, `texts[0]`, run 0, `texts[1]`, run 1, … */
interface Splice {
  readonly context: string;
  readonly modifiedUs: number;
  readonly texts: readonly Buffer[];
}

/**
 * The per-request side of {@link presentContentItem}: one context, reused for every item of a response.
 * `content_last_modified` is formatted once per distinct content `modified`. With a `contextKey` (a string that
 * changes whenever anything the splice reads changes: catalog, customer, the rows `childKeysOf` knows), each
 * fragment remembers its spliced texts for the last context it was served in, so a catalog read again costs
 * copies only (the URL building is most of the per-item work otherwise).
 */
export class ItemSplicer {
  readonly #ctx: ContentPresenterContext;
  readonly #contextKey: string | null;
  readonly #customer: ContentPresenterContext['customer'];
  readonly #skip: boolean;
  readonly #utm: Record<string, string> | null;
  readonly #catalogModified: Timestamp | null;
  readonly #customerModified: Timestamp | null;
  readonly #lastModified = new Map<number, string>();

  constructor(ctx: ContentPresenterContext, contextKey: string | null = null) {
    this.#ctx = ctx;
    this.#contextKey = contextKey;
    this.#skip = ctx.skipCustomerFetch === true;
    this.#customer = this.#skip ? null : ctx.customer;
    this.#utm = ctx.catalog === null ? null : enterpriseUtmContext(ctx.catalog.enterpriseName);
    this.#catalogModified = ctx.catalog?.modified ?? null;
    // As in the presenter: the customer's modified counts only with a catalog.
    this.#customerModified = ctx.catalog === null ? null : (this.#customer?.modified ?? null);
  }

  #contentLastModified(modifiedUs: number): string {
    let text = this.#lastModified.get(modifiedUs);
    if (text === undefined) {
      text = JSON.stringify(contentLastModified(microsToIso(modifiedUs), this.#catalogModified, this.#customerModified));
      this.#lastModified.set(modifiedUs, text);
    }
    return text;
  }

  /** Appends the presented item of `f` (whose row `modified` is `modifiedUs`) to `out`. */
  write(f: ContentFragment, modifiedUs: number, out: JsonBody): void {
    let texts: readonly Buffer[];
    const memo = f.splice;
    if (this.#contextKey !== null && memo !== null && memo.context === this.#contextKey && memo.modifiedUs === modifiedUs) texts = memo.texts;
    else {
      texts = this.#texts(f, modifiedUs).map((t) => Buffer.from(t));
      if (this.#contextKey !== null) f.splice = { context: this.#contextKey, modifiedUs, texts };
    }
    out.bytes(f.head);
    out.bytes(texts[0] as Buffer);
    const runs = f.runs ?? [];
    for (let i = 0; i < runs.length; i++) {
      const run = runs[i] as RunFragment;
      out.bytes(run.key === null ? run.text : run.head);
      out.bytes(texts[i + 1] as Buffer);
    }
  }

  /** The texts around `f`'s runs (see {@link Splice}). */
  #texts(f: ContentFragment, modifiedUs: number): string[] {
    const { catalog, urls } = this.#ctx;
    let tail = `,"content_last_modified":${this.#contentLastModified(modifiedUs)}`;
    if (f.marketingUrl !== null) {
      const url = this.#utm === null ? f.marketingUrl : updateQueryParameters(f.marketingUrl, this.#utm);
      tail += `,"marketing_url":${JSON.stringify(url)}`;
    }
    if (f.contentType === 'course' || f.contentType === 'courserun') {
      if (catalog === null) tail += f.storedUrlMembers;
      else {
        const enrollment = this.#skip ? null : contentEnrollmentUrl(this.#enrollmentRow(f), catalog, this.#customer, urls);
        const xapi = f.xapiKey === null ? null : `${urls.lmsBaseUrl}/xapi/activities/${f.contentType}/${f.xapiKey}`;
        tail += `,"enrollment_url":${JSON.stringify(enrollment)},"xapi_activity_id":${JSON.stringify(xapi)}`;
      }
    }
    if (f.runs === null) return [`${tail}}`];
    if (f.runs.length === 0) return [`${tail},"course_runs":[]}`];
    const texts = [`${tail},"course_runs":[`];
    const children = catalog !== null && !this.#skip ? new Set(this.#ctx.childKeysOf?.(f.contentKey) ?? []) : null;
    for (let i = 0; i < f.runs.length; i++) {
      const run = f.runs[i] as RunFragment;
      const after = i === f.runs.length - 1 ? ']}' : ',';
      if (run.key === null) texts.push(after);
      else if (catalog !== null && children?.has(run.key) === true) {
        const runRow = { contentKey: run.key, contentType: 'courserun', parentContentKey: f.contentKey, jsonMetadata: {} };
        const url = contentEnrollmentUrl(runRow, catalog, this.#customer, urls);
        texts.push(`,"parent_content_key":${JSON.stringify(f.contentKey)},"enrollment_url":${JSON.stringify(url)}}${after}`);
      } else texts.push(`${run.own}}${after}`);
    }
    return texts;
  }

  #enrollmentRow(f: ContentFragment) {
    return { contentKey: f.contentKey, contentType: f.contentType, parentContentKey: f.parentContentKey, jsonMetadata: f.enrollmentJson };
  }
}
