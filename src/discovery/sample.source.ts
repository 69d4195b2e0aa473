/**
 * The built-in content source: the synthetic dataset and the filter evaluator, in process, so the service runs
 * offline (demo, tests, `--sample`). It answers exactly what the simulator would send over HTTP for the same
 * filter — same documents, same order, same per-page grouping — because both use `search-index.ts`.
 */
import {
  DiscoveryFetchError,
  KEY_BATCH_SIZE,
  SEARCH_PAGE_SIZE,
  batches,
  type ContentFilter,
  type ContentSource,
  type ContentSourceStats,
  type DiscoveryCourse,
  type DiscoveryHit,
  type DiscoveryProgram,
  type FetchOptions,
  type SearchAllResult,
} from './content-source.js';
import { generateDataset, type DatasetSize, type DiscoveryDataset } from './dataset.js';
import { presentCourse, presentProgram, presentSearchHit } from './discovery.presenter.js';
import { filterToParams, type QueryParams } from './filter-evaluator.js';
import { DEFAULT_MAX_RESULT_WINDOW, regroupByType, searchDocuments } from './search-index.js';

export interface SampleContentSourceOptions {
  /** The dataset to serve (live: churn applied to it shows up at once); otherwise one is generated. */
  dataset?: DiscoveryDataset;
  size?: DatasetSize;
  seed?: string | number;
  /** Same meaning as the simulator's: results beyond this many hits fail as upstream's would (default 15,000). */
  maxResultWindow?: number;
}

/**
 * Requests are counted as the HTTP source would make them against a healthy discovery (one per `search/all`
 * page, one per batch of 50 keys), so metrics and request budgets read the same whichever source is configured.
 */
export class SampleContentSource implements ContentSource {
  readonly name = 'sample';
  readonly dataset: DiscoveryDataset;
  private readonly maxResultWindow: number;
  private calls = 0;

  constructor(options: SampleContentSourceOptions = {}) {
    this.dataset = options.dataset ?? generateDataset({ size: options.size ?? 'S', seed: options.seed ?? 1 });
    this.maxResultWindow = options.maxResultWindow ?? DEFAULT_MAX_RESULT_WINDOW;
  }

  stats(): ContentSourceStats {
    return { requests: this.calls, tokenRequests: 0, retries: 0 };
  }

  async searchAll(filter: ContentFilter, options: FetchOptions = {}): Promise<SearchAllResult> {
    this.checkAborted(options);
    const params: QueryParams = [
      ['exclude_expired_course_run', 'True'],
      ['include_learner_pathways', 'True'],
      ['page_size', String(SEARCH_PAGE_SIZE)],
      ...filterToParams(filter),
    ];
    const docs = searchDocuments(this.dataset, params);
    const pages = Math.max(1, Math.ceil(docs.length / SEARCH_PAGE_SIZE));
    if (pages * SEARCH_PAGE_SIZE > this.maxResultWindow) {
      const page = Math.floor(this.maxResultWindow / SEARCH_PAGE_SIZE) + 1;
      this.calls += page;
      throw new DiscoveryFetchError('http_status', `search/all page ${page}: beyond the ${this.maxResultWindow}-result window`, {
        status: 500,
        attempts: 1,
        page,
      });
    }
    const ctx = { ds: this.dataset, now: this.dataset.asOf, params };
    const items: DiscoveryHit[] = [];
    for (let start = 0; start < docs.length; start += SEARCH_PAGE_SIZE) {
      for (const doc of regroupByType(docs.slice(start, start + SEARCH_PAGE_SIZE))) {
        items.push(presentSearchHit(doc.ref, ctx));
      }
    }
    this.calls += pages;
    return { items, pages, requests: pages };
  }

  async fetchCourses(keys: readonly string[], options: FetchOptions = {}): Promise<DiscoveryCourse[]> {
    this.checkAborted(options);
    const out: DiscoveryCourse[] = [];
    const now = this.dataset.asOf;
    // Per batch, ordered by key: what `/courses/?keys=…&ordering=key` returns.
    for (const batch of batches(keys, KEY_BATCH_SIZE)) {
      this.calls++;
      const found = batch.flatMap((k) => {
        const course = this.dataset.course(k);
        return course ? [course] : [];
      });
      found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      for (const course of found) out.push(presentCourse(this.dataset, course, now));
    }
    return out;
  }

  async fetchPrograms(uuids: readonly string[], options: FetchOptions = {}): Promise<DiscoveryProgram[]> {
    this.checkAborted(options);
    const out: DiscoveryProgram[] = [];
    const now = this.dataset.asOf;
    for (const batch of batches(uuids, KEY_BATCH_SIZE)) {
      this.calls++;
      const wanted = new Set(batch);
      // `/programs/` orders by id: creation order.
      for (const program of this.dataset.programs) {
        if (wanted.has(program.uuid)) out.push(presentProgram(this.dataset, program, now));
      }
    }
    return out;
  }

  private checkAborted(options: FetchOptions): void {
    if (options.signal?.aborted) throw new DiscoveryFetchError('aborted', 'content fetch aborted');
  }
}
