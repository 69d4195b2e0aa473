/**
 * The `search/all` engine over a dataset: one search document per course, run, program, learner pathway and
 * person (§2.4 field coverage per type), then discovery's request semantics on top of the filter evaluator:
 * default exclusions (pathways, restricted runs), `q`, ordering (default `-start, aggregation_key`), page-number
 * pagination, and the per-page regrouping by document type (§2.4, last paragraph).
 *
 * The simulator and the sample source both call `searchDocuments` / `searchPage`, so they answer identically.
 * Like a search engine, it narrows a request with an inverted index (posting lists of exact-match values) before
 * evaluating the filter, so a filter naming an organisation or a few aggregation keys does not test every document.
 */
import type { DiscoveryDataset } from './dataset.js';
import {
  advertisedRun,
  firstEnrollablePaidSeat,
  languageName,
  runAvailability,
  runIsActive,
  runIsEnrollable,
  runLegacyType,
} from './dataset.js';
import { courseEndDate, courseEnds, presentSearchHit, restrictedTypesAllowed, type IndexedItem } from './discovery.presenter.js';
import type { SearchHit } from './discovery.schemas.js';
import {
  compileFilter,
  createSearchDocument,
  EXACT_TERM_KINDS,
  paramLast,
  paramValues,
  parseFilterClauses,
  phraseAny,
  SEARCH_FILTER_FIELDS,
  termRequirements,
  type DocumentPredicate,
  type IndexValue,
  valuesOf,
  type QueryParams,
  type SearchDocument,
  type TermRequirement,
} from './filter-evaluator.js';

export type IndexedDocument = SearchDocument<IndexedItem>;

// ---------------------------------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------------------------------

/** Builds every search document of the dataset at its current clock. Retired courses (and their runs) are absent. */
export function buildSearchDocuments(ds: DiscoveryDataset): IndexedDocument[] {
  const now = ds.asOf;
  const docs: IndexedDocument[] = [];
  const orgLabel = (key: string): string => `${key}: ${ds.organization(key)?.name ?? key}`;
  const orgUuid = (key: string): string[] => {
    const o = ds.organization(key);
    return o ? [o.uuid] : [];
  };
  const subjectNames = (uuids: readonly string[]): string[] => uuids.map((u) => ds.subject(u)?.name ?? '');

  for (const course of ds.courses) {
    if (course.retired) continue;
    const owners = [course.org, ...course.coOrgs];
    const ownerLabels = owners.map(orgLabel);
    const ownerUuids = owners.flatMap(orgUuid);
    const runText = [course.title, course.shortDescription, ...ownerLabels].join(' ');
    // Course-level aggregates see the runs a default request sees: restricted runs never count.
    const runs = course.runs.filter((r) => r.restrictionType === null);
    const advertised = advertisedRun(course, now);
    const advertisedSeat = advertised ? firstEnrollablePaidSeat(advertised, now) : null;
    const description = course.shortDescription;
    docs.push(
      createSearchDocument<IndexedItem>(
        {
          aggregation_key: `course:${course.key}`,
          content_type: 'course',
          key: course.key,
          'key.raw': course.key,
          uuid: course.uuid,
          title: course.title,
          text: `${runText} ${subjectNames(course.subjects).join(' ')}`,
          short_description: description,
          partner: course.partner,
          org: course.org,
          authoring_organizations: ownerLabels,
          availability: [...new Set(runs.map((r) => runAvailability(r, now)))],
          status: [...new Set(runs.map((r) => r.status))],
          start: runs.map((r) => r.start),
          end: runs.map((r) => r.end),
          end_date: courseEndDate(course, runs),
          course_ends: courseEnds(course, now, runs),
          level_type: course.levelType,
          languages: [...new Set(runs.map((r) => languageName(r.language)))],
          course_type: course.courseType,
          enterprise_subscription_inclusion: course.enterpriseSubscriptionInclusion,
          external_course_marketing_type: course.externalCourseMarketingType,
          product_source: course.productSource,
          first_enrollable_paid_seat_price: advertisedSeat === null ? null : Math.floor(advertisedSeat.price),
          skill_names: course.skills,
          skills: course.skills.length > 0 ? course.skills : null,
          subject_uuids: course.subjects,
        },
        { type: 'course', course },
        `course:${course.key}`,
      ),
    );

    for (const run of course.runs) {
      const seat = firstEnrollablePaidSeat(run, now);
      const legacyType = runLegacyType(run);
      docs.push(
        createSearchDocument<IndexedItem>(
          {
            aggregation_key: `courserun:${course.key}`,
            content_type: 'courserun',
            key: run.key,
            'key.raw': run.key,
            title: course.title,
            text: runText,
            short_description: description,
            number: course.number,
            org: course.org,
            partner: course.partner,
            authoring_organizations: ownerLabels,
            authoring_organization_uuids: ownerUuids,
            availability: runAvailability(run, now),
            status: run.status,
            start: run.start,
            end: run.end,
            level_type: course.levelType,
            pacing_type: run.pacing,
            first_enrollable_paid_seat_price: seat === null ? null : Math.floor(seat.price),
            active: runIsActive(run, now),
            has_enrollable_seats: run.seats.length > 0 && runIsEnrollable(run, now),
            hidden: run.hidden,
            published: run.status === 'published',
            type: legacyType,
            enrollment_mode: legacyType,
            skill_names: course.skills,
            skills: course.skills.length > 0 ? course.skills : null,
            subject_uuids: course.subjects,
            restriction_type: run.restrictionType,
          },
          { type: 'courserun', course, run },
          `courserun:${run.key}`,
        ),
      );
    }
  }

  for (const program of ds.programs) {
    let earliest: number | null = null;
    const subjects = new Set<string>();
    for (const key of program.courseKeys) {
      const course = ds.course(key);
      if (!course) continue;
      for (const s of course.subjects) subjects.add(s);
      for (const run of course.runs) if (earliest === null || run.start < earliest) earliest = run.start;
    }
    docs.push(
      createSearchDocument<IndexedItem>(
        {
          aggregation_key: `program:${program.uuid}`,
          content_type: 'program',
          uuid: program.uuid,
          title: program.title,
          text: [program.title, program.subtitle, ...program.orgKeys.map(orgLabel)].join(' '),
          partner: program.partner,
          authoring_organizations: program.orgKeys.map(orgLabel),
          authoring_organization_uuids: program.orgKeys.flatMap(orgUuid),
          hidden: program.hidden,
          published: program.status === 'active',
          status: program.status,
          start: earliest,
          type: program.type,
          enrollment_mode: program.type,
          skill_names: program.skills,
          skills: program.skills.length > 0 ? program.skills : null,
          subject_uuids: [...subjects],
        },
        { type: 'program', program },
        `program:${program.uuid}`,
      ),
    );
  }

  for (const pathway of ds.pathways) {
    docs.push(
      createSearchDocument<IndexedItem>(
        {
          aggregation_key: `learnerpathway:${pathway.uuid}`,
          content_type: 'learnerpathway',
          uuid: pathway.uuid,
          title: pathway.title,
          text: [pathway.title, pathway.overview].join(' '),
          partner: pathway.partner,
          published: pathway.status === 'active',
          status: pathway.status,
          skill_names: pathway.skills,
          skills: pathway.skills.length > 0 ? pathway.skills : null,
        },
        { type: 'learnerpathway', pathway },
        `learnerpathway:${pathway.uuid}`,
      ),
    );
  }

  for (const person of ds.persons) {
    docs.push(
      createSearchDocument<IndexedItem>(
        {
          aggregation_key: `person:${person.uuid}`,
          content_type: 'person',
          uuid: person.uuid,
          title: `${person.givenName} ${person.familyName}`,
          text: `${person.givenName} ${person.familyName} ${person.position}`,
          partner: person.partner,
        },
        { type: 'person', person },
        `person:${person.uuid}`,
      ),
    );
  }
  return docs;
}

const indexCache = new WeakMap<DiscoveryDataset, { version: number; asOf: number; docs: IndexedDocument[] }>();

/** The dataset's documents, rebuilt only after the dataset changed (churn, edits, clock). */
export function searchIndexOf(ds: DiscoveryDataset): readonly IndexedDocument[] {
  const cached = indexCache.get(ds);
  if (cached && cached.version === ds.version && cached.asOf === ds.asOf) return cached.docs;
  const docs = buildSearchDocuments(ds);
  indexCache.set(ds, { version: ds.version, asOf: ds.asOf, docs });
  return docs;
}

// ---------------------------------------------------------------------------------------------------------------
// Inverted index
// ---------------------------------------------------------------------------------------------------------------

/**
 * Posting lists of the keyword, lower-cased and boolean fields: `terms` numbers each stored value per field, and
 * term `t` is held by the documents at the ascending positions (in `searchIndexOf` order)
 * `positions[starts[t]]` to `positions[starts[t + 1] - 1]`. Flat typed arrays hold an L index's ~590,000 postings
 * (44,000 values) in about 2.5 MB with the value maps; one growable array per value took 11 MB.
 */
interface Postings {
  readonly terms: ReadonlyMap<string, ReadonlyMap<IndexValue, number>>;
  readonly starts: Int32Array;
  readonly positions: Int32Array;
}

/** The fields with postings: those whose term clauses `termRequirements` restates. */
const POSTING_FIELDS: readonly string[] = Object.entries(SEARCH_FILTER_FIELDS)
  .filter(([, spec]) => EXACT_TERM_KINDS.has(spec.kind))
  .map(([field]) => field);

const postingsCache = new WeakMap<readonly IndexedDocument[], Postings>();

/**
 * The postings of a document list, built on its first search. Keyed by the list `searchIndexOf` returns, which is
 * rebuilt after every dataset change (version or clock), so the postings follow it and are collected with it.
 */
function postingsOf(docs: readonly IndexedDocument[]): Postings {
  let postings = postingsCache.get(docs);
  if (postings === undefined) {
    postings = buildPostings(docs);
    postingsCache.set(docs, postings);
  }
  return postings;
}

/** Two passes: number the terms and count their documents, then place each document in its terms' slices. */
function buildPostings(docs: readonly IndexedDocument[]): Postings {
  // A fixed field list: `for…in` over each document's fields, looking up each field's kind, took twice as long.
  const byField = POSTING_FIELDS.map(() => new Map<IndexValue, number>());
  const counts: number[] = [];
  // The last document counted per term: a value a document repeats is listed once.
  const lastCounted: number[] = [];
  // The term ids of every document in document order, and where each document's run ends, for the second pass.
  const occurrences: number[] = [];
  const docEnds = new Int32Array(docs.length);
  for (let position = 0; position < docs.length; position++) {
    const fields = (docs[position] as IndexedDocument).fields;
    for (let f = 0; f < POSTING_FIELDS.length; f++) {
      const stored = fields[POSTING_FIELDS[f] as string];
      if (stored === undefined) continue;
      const byValue = byField[f] as Map<IndexValue, number>;
      for (const value of valuesOf(stored)) {
        let term = byValue.get(value);
        if (term === undefined) {
          term = counts.length;
          byValue.set(value, term);
          counts.push(0);
          lastCounted.push(-1);
        }
        if (lastCounted[term] === position) continue;
        lastCounted[term] = position;
        counts[term] = (counts[term] as number) + 1;
        occurrences.push(term);
      }
    }
    docEnds[position] = occurrences.length;
  }
  const starts = new Int32Array(counts.length + 1);
  for (let term = 0; term < counts.length; term++) starts[term + 1] = (starts[term] as number) + (counts[term] as number);
  const next = starts.slice(0, counts.length);
  const positions = new Int32Array(occurrences.length);
  let k = 0;
  for (let position = 0; position < docs.length; position++) {
    for (const end = docEnds[position] as number; k < end; k++) {
      const term = occurrences[k] as number;
      positions[next[term] as number] = position;
      next[term] = (next[term] as number) + 1;
    }
  }
  return { terms: new Map(POSTING_FIELDS.map((field, f) => [field, byField[f] as Map<IndexValue, number>])), starts, positions };
}

/**
 * The documents that have, for every requirement, one of its values: a superset of what the filter matches, in index
 * order. Each posting list is walked once while counting, per document, the requirements met so far; the lists need
 * no merging, and a document in several lists of one requirement counts once.
 */
function candidatesOf(docs: readonly IndexedDocument[], postings: Postings, requirements: readonly TermRequirement[]): readonly IndexedDocument[] {
  if (requirements.length === 0) return docs;
  const { terms, starts, positions } = postings;
  const met = new Int32Array(docs.length);
  for (let r = 0; r < requirements.length; r++) {
    const { field, anyOf } = requirements[r] as TermRequirement;
    const byValue = terms.get(field);
    let found = false;
    for (const value of anyOf) {
      const term = byValue?.get(value);
      if (term === undefined) continue;
      for (let k = starts[term] as number, end = starts[term + 1] as number; k < end; k++) {
        const position = positions[k] as number;
        if (met[position] === r) {
          met[position] = r + 1;
          found = true;
        }
      }
    }
    if (!found) return [];
  }
  const out: IndexedDocument[] = [];
  for (let position = 0; position < docs.length; position++) {
    if (met[position] === requirements.length) out.push(docs[position] as IndexedDocument);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Querying
// ---------------------------------------------------------------------------------------------------------------

const ORDERING_FIELDS = new Set(['start', 'aggregation_key']);
const DEFAULT_ORDERING = ['-start', 'aggregation_key'];

/**
 * `ordering` values as the ordering backend reads them: each value whole (no comma splitting, so
 * enterprise-catalog's `aggregation_key,start` is not recognised), unknown fields dropped, default
 * `-start, aggregation_key` when nothing valid remains.
 */
export function resolveOrdering(params: QueryParams): string[] {
  const valid = paramValues(params, 'ordering').filter((o) => ORDERING_FIELDS.has(o.replace(/^-/, '')));
  return valid.length > 0 ? valid : DEFAULT_ORDERING;
}

interface SortEntry {
  doc: IndexedDocument;
  start: number | null;
}

/** The start a document sorts by: multi-valued starts use their max descending and their min ascending. */
function sortStart(doc: IndexedDocument, desc: boolean): number | null {
  const starts = valuesOf(doc.fields.start);
  if (starts.length === 0) return null;
  let best = starts[0] as number;
  for (const v of starts) if (desc ? (v as number) > best : (v as number) < best) best = v as number;
  return best;
}

/** Sorts by the ordering, computing each document's start once rather than per comparison. */
function sortDocs(docs: IndexedDocument[], ordering: readonly string[]): IndexedDocument[] {
  const keys = ordering.map((o) => ({ field: o.replace(/^-/, ''), desc: o.startsWith('-') }));
  const startKey = keys.find((k) => k.field === 'start');
  const entries: SortEntry[] = docs.map((doc) => ({ doc, start: startKey ? sortStart(doc, startKey.desc) : null }));
  entries.sort((a, b) => {
    for (const { field, desc } of keys) {
      if (field === 'start') {
        // Missing starts (pathways, persons, programs without runs) sort last in either direction.
        if (a.start === b.start) continue;
        if (a.start === null) return 1;
        if (b.start === null) return -1;
        return desc ? b.start - a.start : a.start - b.start;
      }
      if (a.doc.aggregationKey !== b.doc.aggregationKey) {
        const c = a.doc.aggregationKey < b.doc.aggregationKey ? -1 : 1;
        return desc ? -c : c;
      }
    }
    // ES leaves ties unordered; a fixed tie-break keeps pages stable between requests.
    return a.doc.id < b.doc.id ? -1 : a.doc.id > b.doc.id ? 1 : 0;
  });
  return entries.map((e) => e.doc);
}

function queryPredicate(params: QueryParams): DocumentPredicate | null {
  const queries = paramValues(params, 'q')
    .map((q) => q.trim())
    .filter((q) => q !== '');
  if (queries.length === 0) return null;
  // `q` is a phrase multi_match over key, title and the rendered text.
  const matchers = ['key', 'title', 'text'].map((f) => phraseAny(f, queries));
  return (doc) => matchers.some((m) => m(doc));
}

/** The request's matches among `candidates`, in their order: default exclusions, `q`, then the content filter. */
function matchAmong(ds: DiscoveryDataset, params: QueryParams, candidates: readonly IndexedDocument[]): IndexedDocument[] {
  const filter = compileFilter(params, { now: ds.asOf });
  const query = queryPredicate(params);
  const withPathways = (paramLast(params, 'include_learner_pathways') ?? '').toLowerCase() === 'true';
  const restricted = restrictedTypesAllowed(params);
  return candidates.filter(
    (doc) =>
      (withPathways || doc.contentType !== 'learnerpathway') &&
      (doc.restrictionType === null || restricted.has(doc.restrictionType)) &&
      (query === null || query(doc)) &&
      filter(doc),
  );
}

const resultCache = new WeakMap<DiscoveryDataset, Map<string, IndexedDocument[]>>();
const RESULT_CACHE_SIZE = 16;

/**
 * Every document the request matches, in result order. The filter is evaluated only on the candidates the inverted
 * index leaves (`termRequirements`); that narrowing is no cache, it costs the same on every request. Results are
 * cached per dataset version, so paging through a result costs one evaluation rather than one per page (ES pays
 * that cost too, but our simulator is not ES).
 */
export function searchDocuments(ds: DiscoveryDataset, params: QueryParams): readonly IndexedDocument[] {
  const cacheKey = JSON.stringify([
    ds.version,
    ds.asOf,
    params.filter(([k]) => k !== 'page' && k !== 'page_size'),
  ]);
  let perDataset = resultCache.get(ds);
  const hit = perDataset?.get(cacheKey);
  if (hit) return hit;

  const docs = searchIndexOf(ds);
  const candidates = candidatesOf(docs, postingsOf(docs), parseFilterClauses(params).flatMap(termRequirements));
  const matched = sortDocs(matchAmong(ds, params, candidates), resolveOrdering(params));

  if (perDataset === undefined) {
    perDataset = new Map();
    resultCache.set(ds, perDataset);
  }
  if (perDataset.size >= RESULT_CACHE_SIZE) {
    const oldest = perDataset.keys().next().value;
    if (oldest !== undefined) perDataset.delete(oldest);
  }
  perDataset.set(cacheKey, matched);
  return matched;
}

/**
 * `searchDocuments` the slow way, as it was before the inverted index: every document through the predicate, no
 * result cache. The reference search-index.test.ts holds the index to.
 */
export function scanDocuments(ds: DiscoveryDataset, params: QueryParams): readonly IndexedDocument[] {
  return sortDocs(matchAmong(ds, params, searchIndexOf(ds)), resolveOrdering(params));
}

/** Discovery regroups each page's hits by document type, in order of each type's first appearance. */
export function regroupByType<T extends { contentType: string }>(docs: readonly T[]): T[] {
  const groups = new Map<string, T[]>();
  for (const doc of docs) {
    const group = groups.get(doc.contentType);
    if (group) group.push(doc);
    else groups.set(doc.contentType, [doc]);
  }
  return [...groups.values()].flat();
}

export const DEFAULT_SEARCH_PAGE_SIZE = 20;
/** ES `max_result_window` of discovery's indices: asking beyond from+size > 15,000 fails with a 500. */
export const DEFAULT_MAX_RESULT_WINDOW = 15_000;

export type SearchPageOutcome =
  | { kind: 'page'; count: number; page: number; pageSize: number; lastPage: number; hits: SearchHit[] }
  | { kind: 'invalid_page' }
  | { kind: 'window_exceeded' };

/** DRF's positive-int parsing for `page_size`: anything but a positive integer falls back to the default. */
function pageSizeOf(params: QueryParams): number {
  const raw = paramLast(params, 'page_size');
  if (raw === undefined || !/^\d+$/.test(raw.trim())) return DEFAULT_SEARCH_PAGE_SIZE;
  const n = Number(raw);
  return n > 0 ? n : DEFAULT_SEARCH_PAGE_SIZE;
}

/**
 * One page of `search/all`, page-number pagination as Django's paginator does it: `page` defaults to 1, `last`
 * means the last page, anything non-integer or out of range is "Invalid page." (page 1 of an empty result is fine).
 */
export function searchPage(ds: DiscoveryDataset, params: QueryParams, maxResultWindow = DEFAULT_MAX_RESULT_WINDOW): SearchPageOutcome {
  const docs = searchDocuments(ds, params);
  const pageSize = pageSizeOf(params);
  const lastPage = Math.max(1, Math.ceil(docs.length / pageSize));
  const rawPage = (paramLast(params, 'page') ?? '1').trim();
  let page: number;
  if (rawPage === 'last') page = lastPage;
  else if (/^\d+$/.test(rawPage)) page = Number(rawPage);
  else if (/^\d+\.0*$/.test(rawPage)) page = Math.floor(Number(rawPage));
  else return { kind: 'invalid_page' };
  if (page < 1 || page > lastPage) return { kind: 'invalid_page' };
  if (page * pageSize > maxResultWindow) return { kind: 'window_exceeded' };
  const slice = regroupByType(docs.slice((page - 1) * pageSize, page * pageSize));
  const ctx = { ds, now: ds.asOf, params };
  return { kind: 'page', count: docs.length, page, pageSize, lastPage, hits: slice.map((d) => presentSearchHit(d.ref, ctx)) };
}
