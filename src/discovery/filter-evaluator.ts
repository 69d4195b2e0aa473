/**
 * Evaluates an enterprise content filter the way course-discovery's `search/all` does
 * (course-discovery.md §2.1–2.4, §2.7), against search documents built by `search-index.ts`.
 *
 * The pipeline mirrors discovery's:
 * 1. `filterToParams`: the JSON body becomes query parameters (`update_query_params_with_body_data`): a list of
 *    length 1 becomes its element, values go through Python's `str()` (`true` → `"True"`), lists repeat the key.
 * 2. `parseFilterClauses`: each parameter is `field` or `field__lookup`, split once on `__`. Unknown fields and
 *    lookups a field does not allow are silently ignored (a typo widens the catalog, as upstream).
 * 3. `compileFilter`: each clause becomes a predicate; clauses are AND-ed. Without a lookup, several values are OR-ed
 *    (`terms`). A field the document type lacks matches nothing, except under `__exclude`.
 *
 * Matching follows the Elasticsearch mapping: `.lower` fields compare case-insensitively, keywords exactly,
 * `key` and `short_description` are phrase matches over standard-analyzer-like tokens, booleans parse strictly.
 */

export type LookupName = 'term' | 'terms' | 'exclude' | 'gt' | 'gte' | 'lt' | 'lte' | 'range' | 'in';
/** How a field is mapped in the index, which decides how values compare. */
export type FieldKind = 'keyword' | 'lower' | 'boolean' | 'integer' | 'date' | 'text' | 'nested';

export interface FilterFieldSpec {
  readonly kind: FieldKind;
  readonly lookups: readonly LookupName[];
}

const TERMS: readonly LookupName[] = ['term', 'terms'];
const TERMS_EXCLUDE: readonly LookupName[] = ['term', 'terms', 'exclude'];
const TERM: readonly LookupName[] = ['term'];
const RANGES: readonly LookupName[] = ['gt', 'gte', 'lt', 'lte'];

/** `filter_fields` of discovery's `BaseAggregateSearchViewSet` (§2.4) with their mapping kind and allowed lookups. */
export const SEARCH_FILTER_FIELDS: Readonly<Record<string, FilterFieldSpec>> = {
  aggregation_key: { kind: 'keyword', lookups: TERMS_EXCLUDE },
  authoring_organization_uuids: { kind: 'keyword', lookups: TERMS },
  authoring_organizations: { kind: 'lower', lookups: TERMS_EXCLUDE },
  availability: { kind: 'keyword', lookups: TERMS },
  content_type: { kind: 'keyword', lookups: TERMS },
  course_type: { kind: 'keyword', lookups: TERMS_EXCLUDE },
  enterprise_subscription_inclusion: { kind: 'boolean', lookups: TERM },
  external_course_marketing_type: { kind: 'keyword', lookups: TERMS },
  product_source: { kind: 'keyword', lookups: TERMS },
  first_enrollable_paid_seat_price: { kind: 'integer', lookups: ['range', 'in', 'gt', 'gte', 'lt', 'lte', 'terms'] },
  active: { kind: 'boolean', lookups: TERM },
  end: { kind: 'date', lookups: RANGES },
  end_date: { kind: 'date', lookups: RANGES },
  course_ends: { kind: 'keyword', lookups: TERMS },
  enrollment_mode: { kind: 'lower', lookups: TERM },
  has_enrollable_seats: { kind: 'boolean', lookups: TERM },
  hidden: { kind: 'boolean', lookups: TERM },
  'key.raw': { kind: 'keyword', lookups: TERMS_EXCLUDE },
  key: { kind: 'text', lookups: [] },
  languages: { kind: 'keyword', lookups: TERMS },
  level_type: { kind: 'keyword', lookups: TERMS },
  number: { kind: 'keyword', lookups: TERMS },
  org: { kind: 'lower', lookups: TERMS_EXCLUDE },
  pacing_type: { kind: 'keyword', lookups: TERMS },
  partner: { kind: 'lower', lookups: TERM },
  published: { kind: 'boolean', lookups: TERM },
  skill_names: { kind: 'keyword', lookups: TERMS },
  skills: { kind: 'nested', lookups: TERMS },
  status: { kind: 'keyword', lookups: TERM },
  start: { kind: 'date', lookups: RANGES },
  short_description: { kind: 'text', lookups: [] },
  subject_uuids: { kind: 'keyword', lookups: TERMS },
  type: { kind: 'lower', lookups: TERM },
};

// ---------------------------------------------------------------------------------------------------------------
// Search documents
// ---------------------------------------------------------------------------------------------------------------

export type IndexValue = string | number | boolean;
/** One value, or several for multi-valued fields. Scalars are stored unwrapped: an L index has 25,000 documents. */
export type FieldValue = IndexValue | readonly IndexValue[];

/** One indexed document: the filterable fields of a course, run, program, pathway or person. */
export interface SearchDocument<R = unknown> {
  readonly contentType: string;
  readonly aggregationKey: string;
  /** Restricted runs are hidden unless the request names their type in `include_restricted`. */
  readonly restrictionType: string | null;
  /**
   * Normalised values per filter field (lower-cased, dates as epoch ms); fields the type lacks are absent. A plain
   * object rather than a Map: documents of one type share their key order, so V8 gives them one compact shape.
   */
  readonly fields: Readonly<Record<string, FieldValue>>;
  /**
   * Raw text per phrase field (`key`, `short_description`) and for `q` (`title`, `text`). Tokenised lazily by
   * `documentTokens`: analysing every description of a 25,000-document index up front costs memory for nothing.
   */
  readonly text: Readonly<Record<string, string | readonly string[]>>;
  /** Unique within the index; breaks sort ties so pages are stable. */
  readonly id: string;
  /** What the document was built from, for the hit projection. */
  readonly ref: R;
}

/** True when one of the field's values satisfies `predicate`; false when the document lacks the field. */
export function someValue(value: FieldValue | undefined, predicate: (v: IndexValue) => boolean): boolean {
  if (value === undefined) return false;
  if (!Array.isArray(value)) return predicate(value as IndexValue);
  for (const v of value as readonly IndexValue[]) if (predicate(v)) return true;
  return false;
}

/** The field's values as a list (empty when absent). */
export function valuesOf(value: FieldValue | undefined): readonly IndexValue[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? (value as readonly IndexValue[]) : [value as IndexValue];
}

/**
 * Builds a document from raw field values (strings, numbers, booleans, ISO dates, arrays of those; null and
 * undefined mean "field absent"). `aggregation_key` and `content_type` are required. Fields that are not filter
 * fields but are searched by `q` (`title`, `text`) are tokenised too.
 */
export function createSearchDocument<R = undefined>(raw: Readonly<Record<string, unknown>>, ref?: R, id?: string): SearchDocument<R> {
  // Hot path: an L dataset builds 25,000 documents after every change, so this avoids intermediate arrays.
  const fields: Record<string, FieldValue> = {};
  const text: Record<string, string | string[]> = {};
  for (const name in raw) {
    const value = raw[name];
    if (value === null || value === undefined) continue;
    const spec = SEARCH_FILTER_FIELDS[name];
    const isText = spec?.kind === 'text' || name === 'title' || name === 'text';
    if (spec === undefined && !isText) continue;
    if (!Array.isArray(value)) {
      if (isText && (typeof value === 'string' || typeof value === 'number')) text[name] = String(value);
      if (spec === undefined) continue;
      const n = normaliseIndexValue(spec.kind, value);
      if (n !== null) fields[name] = n;
      continue;
    }
    const list = value as unknown[];
    if (isText) {
      const strings: string[] = [];
      for (const v of list) if (typeof v === 'string' || typeof v === 'number') strings.push(String(v));
      if (strings.length > 0) text[name] = strings.length === 1 ? (strings[0] as string) : strings;
    }
    if (spec === undefined) continue;
    const normalised: IndexValue[] = [];
    for (const v of list) {
      if (v === null || v === undefined) continue;
      const n = normaliseIndexValue(spec.kind, v);
      if (n !== null) normalised.push(n);
    }
    if (normalised.length > 0) fields[name] = normalised.length === 1 ? (normalised[0] as IndexValue) : normalised;
  }
  const aggregationKey = raw.aggregation_key;
  const contentType = raw.content_type;
  if (typeof aggregationKey !== 'string' || typeof contentType !== 'string') {
    throw new Error('a search document needs aggregation_key and content_type');
  }
  const restriction = raw.restriction_type;
  const key = raw.key ?? raw.uuid;
  return {
    contentType,
    aggregationKey,
    restrictionType: typeof restriction === 'string' ? restriction : null,
    fields,
    text,
    id: id ?? `${contentType}:${typeof key === 'string' ? key : aggregationKey}`,
    ref: ref as R,
  };
}

/** Lower-cased values repeat across thousands of documents (orgs, partners, types): keep one copy of each. */
const lowerCache = new Map<string, string>();
function lower(value: string): string {
  let out = lowerCache.get(value);
  if (out === undefined) {
    out = value.toLowerCase();
    if (lowerCache.size < 50_000) lowerCache.set(value, out);
  }
  return out;
}

function normaliseIndexValue(kind: FieldKind, value: unknown): IndexValue | null {
  switch (kind) {
    case 'keyword':
      return String(value);
    case 'lower':
      return lower(String(value));
    case 'boolean':
      return typeof value === 'boolean' ? value : value === 'true';
    case 'integer': {
      const n = typeof value === 'number' ? value : Number(value);
      return Number.isFinite(n) ? n : null;
    }
    case 'date': {
      if (typeof value === 'number') return value;
      const d = parseDateValue(String(value));
      return d === null ? null : d.start;
    }
    case 'text':
      return String(value);
    case 'nested':
      // Nested objects cannot be matched by a plain term query (§2.4 `skills`); keep a marker of presence only.
      return null;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Request parameters
// ---------------------------------------------------------------------------------------------------------------

export type ContentFilter = Readonly<Record<string, unknown>>;
/** Ordered, repeatable query parameters, like Django's `QueryDict`. */
export type QueryParams = readonly (readonly [string, string])[];

/** Python `str()` of a JSON value, as discovery applies it to body values. */
export function pythonStr(value: unknown): string {
  if (typeof value === 'string') return value;
  return pythonRepr(value);
}

function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value).toString() : String(value);
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map((v) => pythonRepr(v)).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`)
      .join(', ')}}`;
  }
  // Only JSON values reach this function; bigint, symbol and function cannot come out of JSON.parse.
  return 'None';
}

/**
 * The content filter as discovery sees it after `update_query_params_with_body_data`: one-element lists become
 * scalars, then `urlencode(doseq=True)` repeats list keys and `str()`s every value. A dict value is iterable in
 * Python, so it contributes its keys; an empty list contributes nothing.
 */
export function filterToParams(filter: ContentFilter): [string, string][] {
  const out: [string, string][] = [];
  for (const [key, raw] of Object.entries(filter)) {
    const value = Array.isArray(raw) && raw.length === 1 ? (raw[0] as unknown) : raw;
    if (Array.isArray(value)) {
      for (const element of value) out.push([key, pythonStr(element)]);
    } else if (value !== null && typeof value === 'object') {
      for (const k of Object.keys(value)) out.push([key, k]);
    } else {
      out.push([key, pythonStr(value)]);
    }
  }
  return out;
}

/** Every value of a parameter, in order. */
export function paramValues(params: QueryParams, name: string): string[] {
  const out: string[] = [];
  for (const [k, v] of params) if (k === name) out.push(v);
  return out;
}

/** The last value of a parameter, as `QueryDict.get` returns it. */
export function paramLast(params: QueryParams, name: string): string | undefined {
  let last: string | undefined;
  for (const [k, v] of params) if (k === name) last = v;
  return last;
}

export interface FilterClause {
  readonly param: string;
  readonly field: string;
  readonly lookup: LookupName | null;
  readonly values: readonly string[];
}

/**
 * The parameters that act as filters: known field, allowed (or no) lookup, at least one non-blank value.
 * Everything else (typos, paging and ordering parameters, enterprise-only keys) is ignored, silently.
 */
export function parseFilterClauses(params: QueryParams): FilterClause[] {
  const grouped = new Map<string, string[]>();
  for (const [name, value] of params) {
    const list = grouped.get(name);
    if (list) list.push(value);
    else grouped.set(name, [value]);
  }
  const clauses: FilterClause[] = [];
  for (const [param, rawValues] of grouped) {
    const cut = param.indexOf('__');
    const field = cut === -1 ? param : param.slice(0, cut);
    const lookup = cut === -1 ? null : param.slice(cut + 2);
    const spec = SEARCH_FILTER_FIELDS[field];
    if (spec === undefined) continue;
    if (lookup !== null && !(spec.lookups as readonly string[]).includes(lookup)) continue;
    const values = rawValues.map((v) => v.trim()).filter((v) => v !== '');
    if (values.length === 0) continue;
    clauses.push({ param, field, lookup: lookup as LookupName | null, values });
  }
  return clauses;
}

// ---------------------------------------------------------------------------------------------------------------
// Compilation
// ---------------------------------------------------------------------------------------------------------------

export interface EvaluateOptions {
  /** "now" for date math (`now-30d`); the dataset clock. Defaults to the wall clock. */
  now?: number | Date;
}

export type DocumentPredicate = (doc: SearchDocument) => boolean;

const NEVER: DocumentPredicate = () => false;

/** Compiles the filter part of a request into one predicate (all clauses AND-ed). */
export function compileFilter(params: QueryParams, options: EvaluateOptions = {}): DocumentPredicate {
  const now = options.now === undefined ? Date.now() : typeof options.now === 'number' ? options.now : options.now.getTime();
  const predicates = parseFilterClauses(params).map((clause) => compileClause(clause, now));
  if (predicates.length === 0) return () => true;
  return (doc) => {
    for (const p of predicates) if (!p(doc)) return false;
    return true;
  };
}

/** Convenience: does this content filter (a JSON object) match the document? */
export function matchesFilter(filter: ContentFilter, doc: SearchDocument, options: EvaluateOptions = {}): boolean {
  return compileFilter(filterToParams(filter), options)(doc);
}

function all(predicates: DocumentPredicate[]): DocumentPredicate {
  if (predicates.length === 1) return predicates[0] ?? NEVER;
  return (doc) => predicates.every((p) => p(doc));
}

function splitPieces(value: string): string[] {
  return value.split('__').filter((v) => v !== '');
}

function compileClause(clause: FilterClause, now: number): DocumentPredicate {
  const spec = SEARCH_FILTER_FIELDS[clause.field];
  if (spec === undefined) return NEVER;
  const { field, values } = clause;
  if (spec.kind === 'nested') {
    // A plain term on a nested field never matches (§2.4 `skills`).
    return NEVER;
  }
  if (spec.kind === 'text') return phraseAny(field, values);
  switch (clause.lookup) {
    case null:
      return termsAny(field, spec.kind, values, now);
    case 'term':
      return all(values.map((v) => termsAny(field, spec.kind, [v], now)));
    case 'terms':
    case 'in':
      return all(values.map((v) => termsAny(field, spec.kind, splitPieces(v), now)));
    case 'exclude':
      // Each value is split on `__` and its pieces OR-ed as negations; values are AND-ed (§2.3).
      return all(
        values.map((v) => {
          const pieces = splitPieces(v).map((p) => termsAny(field, spec.kind, [p], now));
          return (doc: SearchDocument) => pieces.some((p) => !p(doc));
        }),
      );
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      // A value may carry a boost as `v__boost`; only the first piece is the bound.
      return all(values.map((v) => rangeMatcher(field, spec.kind, { [clause.lookup as string]: v.split('__')[0] ?? '' }, now)));
    case 'range':
      return all(
        values.map((v) => {
          const [lo, hi] = v.split('__');
          const bounds: Record<string, string> = {};
          if (lo !== undefined && lo !== '') bounds.gte = lo;
          if (hi !== undefined && hi !== '') bounds.lte = hi;
          return rangeMatcher(field, spec.kind, bounds, now);
        }),
      );
  }
}

/**
 * A necessary condition of a clause that an inverted index answers with posting lists: every document the clause
 * matches has one of `anyOf` among its stored values of `field` (an empty `anyOf`: the clause matches nothing).
 */
export interface TermRequirement {
  readonly field: string;
  readonly anyOf: readonly IndexValue[];
}

/** Kinds whose term clauses are plain set membership on the stored values, so a posting list reproduces them. */
export const EXACT_TERM_KINDS: ReadonlySet<FieldKind> = new Set<FieldKind>(['keyword', 'lower', 'boolean']);

/**
 * What `compileClause` requires of a document, restated as values an inverted index can look up, so a search can
 * evaluate the full predicate on the few documents that carry them instead of on the whole index. The requirements
 * may be weaker than the clause, never stronger: clauses that cannot be restated (`__exclude` negates, ranges,
 * numbers, dates, phrases) give none and do not narrow the search. Deliberately written apart from `termsAny` (not
 * sharing its normalisation) so that search-index.test.ts, comparing indexed searches with full scans, catches a
 * divergence between the two.
 */
export function termRequirements(clause: FilterClause): TermRequirement[] {
  const spec = SEARCH_FILTER_FIELDS[clause.field];
  if (spec === undefined) return [];
  const { field, values } = clause;
  // `compileClause` never matches a nested field, whatever the lookup.
  if (spec.kind === 'nested') return [{ field, anyOf: [] }];
  if (!EXACT_TERM_KINDS.has(spec.kind)) return [];
  switch (clause.lookup) {
    case null:
      return [{ field, anyOf: storedTerms(spec.kind, values) }];
    case 'term':
      return values.map((v) => ({ field, anyOf: storedTerms(spec.kind, [v]) }));
    case 'terms':
    case 'in':
      return values.map((v) => ({ field, anyOf: storedTerms(spec.kind, splitPieces(v)) }));
    default:
      // `__exclude` keeps documents without the values; ranges are not declared on these kinds.
      return [];
  }
}

/** The stored values a keyword, lower or boolean `terms` over `values` accepts (see `normaliseIndexValue`). */
function storedTerms(kind: FieldKind, values: readonly string[]): IndexValue[] {
  if (kind === 'lower') return values.map((v) => v.toLowerCase());
  if (kind === 'boolean') {
    // One value that is not strictly "true" or "false" makes the whole `terms` match nothing.
    return values.every((v) => v === 'true' || v === 'false') ? values.map((v) => v === 'true') : [];
  }
  return [...values];
}

/** `terms` semantics: the document has at least one of the values. */
function termsAny(field: string, kind: FieldKind, values: readonly string[], now: number): DocumentPredicate {
  switch (kind) {
    case 'keyword':
    case 'lower': {
      const wanted = new Set(kind === 'lower' ? values.map((v) => v.toLowerCase()) : values);
      const has = (v: IndexValue): boolean => wanted.has(v as string);
      return (doc) => someValue(doc.fields[field], has);
    }
    case 'boolean': {
      // ES parses boolean terms strictly: only "true"/"false". The "True" a JSON `true` turns into is rejected
      // upstream (a failed shard); we model that as "matches nothing" (§2.3).
      const wanted = values.filter((v) => v === 'true' || v === 'false').map((v) => v === 'true');
      if (wanted.length !== values.length) return NEVER;
      const has = (v: IndexValue): boolean => wanted.includes(v as boolean);
      return (doc) => someValue(doc.fields[field], has);
    }
    case 'integer': {
      const nums = values.map(Number);
      // A non-integer term on an integer field is a query error upstream.
      if (nums.some((n) => !Number.isInteger(n))) return NEVER;
      const has = (v: IndexValue): boolean => nums.includes(v as number);
      return (doc) => someValue(doc.fields[field], has);
    }
    case 'date': {
      // A term on a date is the range covering the value's precision ("2024-01-01" = that whole day).
      const ranges = values.map((v) => resolveDateBounds(v, now));
      if (ranges.some((r) => r === null)) return NEVER;
      const within = (v: IndexValue): boolean => ranges.some((r) => r !== null && (v as number) >= r.start && (v as number) <= r.end);
      return (doc) => someValue(doc.fields[field], within);
    }
    case 'text':
      return phraseAny(field, values);
    case 'nested':
      return NEVER;
  }
}

function rangeMatcher(field: string, kind: FieldKind, bounds: Readonly<Record<string, string>>, now: number): DocumentPredicate {
  const checks: ((v: number) => boolean)[] = [];
  for (const [op, raw] of Object.entries(bounds)) {
    let bound: number | null;
    if (kind === 'date') {
      // ES rounding for ranges: gt/lte round up to the end of the value's precision, gte/lt round down.
      const r = resolveDateBounds(raw, now);
      bound = r === null ? null : op === 'gt' || op === 'lte' ? r.end : r.start;
    } else if (kind === 'integer') {
      const n = Number(raw);
      bound = raw.trim() === '' || !Number.isFinite(n) ? null : n;
    } else {
      // Ranges are only declared on numbers and dates; anything else is a query error upstream.
      bound = null;
    }
    if (bound === null) return NEVER;
    const b = bound;
    if (op === 'gt') checks.push((v) => v > b);
    else if (op === 'gte') checks.push((v) => v >= b);
    else if (op === 'lt') checks.push((v) => v < b);
    else checks.push((v) => v <= b);
  }
  // Multi-valued fields: a document matches when one of its values satisfies the whole range.
  const inRange = (v: IndexValue): boolean => typeof v === 'number' && checks.every((c) => c(v));
  return (doc) => someValue(doc.fields[field], inRange);
}

// ---------------------------------------------------------------------------------------------------------------
// Text analysis and phrase matching
// ---------------------------------------------------------------------------------------------------------------

const WORD = /[\p{L}\p{N}_]/u;
const LETTER = /\p{L}/u;
const DIGIT = /\p{N}/u;

/**
 * Approximation of the ES standard analyzer (§2.3 simulator rule): lower-case, split on non-word characters
 * (`+ : / - space` …); `.` and `'` stay inside a token only between two letters or two digits, so
 * `edX+DemoX.1` → `edx demox 1` while `18.01x` stays one token.
 */
export function analyze(text: string): string[] {
  const lower = text.toLowerCase();
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < lower.length; i++) {
    const ch = lower[i] as string;
    if (WORD.test(ch)) {
      current += ch;
      continue;
    }
    if ((ch === '.' || ch === "'") && current !== '') {
      const prev = lower[i - 1] ?? '';
      const next = lower[i + 1] ?? '';
      if ((LETTER.test(prev) && LETTER.test(next)) || (DIGIT.test(prev) && DIGIT.test(next))) {
        current += ch;
        continue;
      }
    }
    if (current !== '') out.push(current);
    current = '';
  }
  if (current !== '') out.push(current);
  return out;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' };

/** The `html_strip` char filter, roughly: tags removed, common entities decoded. */
export function stripHtml(html: string): string {
  return html.replace(/<[^>]*>/g, ' ').replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_m, name: string) => ENTITIES[name] ?? ' ');
}

const tokenCache = new WeakMap<SearchDocument, Map<string, readonly string[][]>>();

/** The analysed tokens of a document's text field (one list per value), computed once per document. */
export function documentTokens(doc: SearchDocument, field: string): readonly string[][] | undefined {
  let perDoc = tokenCache.get(doc);
  const cached = perDoc?.get(field);
  if (cached !== undefined) return cached;
  const raw = doc.text[field];
  if (raw === undefined) return undefined;
  const values: readonly string[] = typeof raw === 'string' ? [raw] : raw;
  const tokens = values.map((v) => analyze(field === 'short_description' || field === 'text' ? stripHtml(v) : v));
  if (perDoc === undefined) {
    perDoc = new Map();
    tokenCache.set(doc, perDoc);
  }
  perDoc.set(field, tokens);
  return tokens;
}

/** True when `phrase` occurs as a contiguous token run in `tokens`. */
export function containsPhrase(tokens: readonly string[], phrase: readonly string[]): boolean {
  if (phrase.length === 0 || phrase.length > tokens.length) return false;
  outer: for (let i = 0; i + phrase.length <= tokens.length; i++) {
    for (let j = 0; j < phrase.length; j++) if (tokens[i + j] !== phrase[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * `match_phrase` on one field, several values OR-ed (`bool.should`, minimum 1). Phrases are indexed by their first
 * token so a 300-key filter stays cheap per document.
 */
export function phraseAny(field: string, values: readonly string[]): DocumentPredicate {
  const byFirst = new Map<string, string[][]>();
  for (const value of values) {
    const phrase = analyze(field === 'short_description' ? stripHtml(value) : value);
    const first = phrase[0];
    // A phrase with no tokens matches nothing (ES `zero_terms_query: none`).
    if (first === undefined) continue;
    const list = byFirst.get(first);
    if (list) list.push(phrase);
    else byFirst.set(first, [phrase]);
  }
  if (byFirst.size === 0) return NEVER;
  return (doc) => {
    const lists = documentTokens(doc, field);
    if (lists === undefined) return false;
    for (const tokens of lists) {
      for (let i = 0; i < tokens.length; i++) {
        const candidates = byFirst.get(tokens[i] as string);
        if (candidates === undefined) continue;
        for (const phrase of candidates) {
          if (i + phrase.length > tokens.length) continue;
          let ok = true;
          for (let j = 1; j < phrase.length; j++) {
            if (tokens[i + j] !== phrase[j]) {
              ok = false;
              break;
            }
          }
          if (ok) return true;
        }
      }
    }
    return false;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Dates and date math
// ---------------------------------------------------------------------------------------------------------------

export interface DateBounds {
  /** First millisecond the value covers. */
  start: number;
  /** Last millisecond the value covers (its precision: a day, an hour, a second …). */
  end: number;
}

const ISO_DATE =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Parses `strict_date_optional_time||epoch_millis`; a partial date covers its whole period. */
export function parseDateValue(text: string): DateBounds | null {
  const s = text.trim();
  const m = ISO_DATE.exec(s);
  if (m === null) {
    if (/^-?\d+$/.test(s)) {
      const ms = Number(s);
      return Number.isSafeInteger(ms) ? { start: ms, end: ms } : null;
    }
    return null;
  }
  const [, y, mo, d, h, mi, se, frac, zone] = m;
  const year = Number(y);
  const month = mo === undefined ? 1 : Number(mo);
  const day = d === undefined ? 1 : Number(d);
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = se === undefined ? 0 : Number(se);
  const milli = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  let offset = 0;
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  }
  const start = Date.UTC(year, month - 1, day, hour, minute, second, milli) - offset;
  if (new Date(start + offset).getUTCDate() !== day) return null;
  let end: number;
  if (mo === undefined) end = Date.UTC(year + 1, 0, 1) - offset - 1;
  else if (d === undefined) end = Date.UTC(year, month, 1) - offset - 1;
  else if (h === undefined) end = start + 86_400_000 - 1;
  else if (mi === undefined) end = start + 3_600_000 - 1;
  else if (se === undefined) end = start + 60_000 - 1;
  else if (frac === undefined) end = start + 999;
  else end = start;
  return { start, end };
}

type DateUnit = 'y' | 'M' | 'w' | 'd' | 'h' | 'H' | 'm' | 's';

function addUnit(ms: number, amount: number, unit: DateUnit): number {
  const d = new Date(ms);
  switch (unit) {
    case 'y':
      d.setUTCFullYear(d.getUTCFullYear() + amount);
      return d.getTime();
    case 'M':
      d.setUTCMonth(d.getUTCMonth() + amount);
      return d.getTime();
    case 'w':
      return ms + amount * 7 * 86_400_000;
    case 'd':
      return ms + amount * 86_400_000;
    case 'h':
    case 'H':
      return ms + amount * 3_600_000;
    case 'm':
      return ms + amount * 60_000;
    case 's':
      return ms + amount * 1000;
  }
}

function floorUnit(ms: number, unit: DateUnit): number {
  const d = new Date(ms);
  switch (unit) {
    case 'y':
      return Date.UTC(d.getUTCFullYear(), 0, 1);
    case 'M':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    case 'w': {
      // ES weeks start on Monday.
      const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
      return day - ((d.getUTCDay() + 6) % 7) * 86_400_000;
    }
    case 'd':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    case 'h':
    case 'H':
      return ms - (ms % 3_600_000);
    case 'm':
      return ms - (ms % 60_000);
    case 's':
      return ms - (ms % 1000);
  }
}

/**
 * Resolves a date or ES date-math expression (`now-30d/d`, `2024-01-01||+1M`) to the span it denotes. Without
 * rounding, `now` is an instant and an explicit date covers its precision; `/unit` rounding covers the unit.
 */
export function resolveDateBounds(expr: string, now: number): DateBounds | null {
  const text = expr.trim();
  let anchor: DateBounds;
  let math: string;
  if (text.startsWith('now')) {
    anchor = { start: now, end: now };
    math = text.slice(3);
  } else {
    const cut = text.indexOf('||');
    const parsed = parseDateValue(cut === -1 ? text : text.slice(0, cut));
    if (parsed === null) return null;
    anchor = parsed;
    math = cut === -1 ? '' : text.slice(cut + 2);
  }
  if (math === '') return anchor;
  let ms = anchor.start;
  let rounded: DateUnit | null = null;
  const op = /([+-])(\d+)([yMwdhHms])|\/([yMwdhHms])/y;
  let pos = 0;
  while (pos < math.length) {
    op.lastIndex = pos;
    const m = op.exec(math);
    if (m === null) return null;
    pos = op.lastIndex;
    if (m[4] !== undefined) {
      rounded = m[4] as DateUnit;
      ms = floorUnit(ms, rounded);
    } else {
      ms = addUnit(ms, (m[1] === '-' ? -1 : 1) * Number(m[2]), m[3] as DateUnit);
    }
  }
  if (rounded === null) return { start: ms, end: ms };
  return { start: ms, end: addUnit(ms, 1, rounded) - 1 };
}
