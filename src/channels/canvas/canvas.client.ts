/**
 * The subset of the Canvas LMS API the channel uses: the refresh-token grant, course search in an account (and its
 * root account), create, update (including the `offer` event that publishes) and conclude.
 */
import { type ChannelHttp, type InboundResponse, type OutboundRequest, errorForStatus, joinUrl, parseJson } from '../http/channel-http.js';
import { type TokenCache, tokenCacheKey } from '../http/token-cache.js';
import { TokenSession, readTokenResponse } from '../http/token-session.js';
import { asRecord } from '../mapping/fields.js';
import type { CanvasCourse } from './canvas.mapping.js';
import type { CanvasSettings } from './canvas.settings.js';

/** What the channel reads of a Canvas course. */
export interface CanvasCourseRef {
  id: number;
  workflowState: string;
}

export class CanvasClient {
  private readonly session: TokenSession;

  constructor(
    private readonly http: ChannelHttp,
    private readonly settings: CanvasSettings,
    cache: TokenCache,
    configurationId: number,
    private readonly now: () => Date,
    private readonly defaultRetryAfterMs: number,
  ) {
    this.session = new TokenSession({
      http,
      cache,
      cacheKey: tokenCacheKey(configurationId, settings.canvas_base_url, settings.client_id, settings.client_secret, settings.refresh_token),
      now,
      fetchToken: () => this.fetchToken(),
      what: 'Canvas',
    });
  }

  private async fetchToken() {
    const s = this.settings;
    const res = await this.http.send({
      method: 'POST',
      url: joinUrl(s.canvas_base_url, '/login/oauth2/token'),
      form: { grant_type: 'refresh_token', client_id: s.client_id, client_secret: s.client_secret, refresh_token: s.refresh_token },
    });
    return readTokenResponse(res, this.http, 'Canvas token', this.now(), this.defaultRetryAfterMs);
  }

  private send(req: Omit<OutboundRequest, 'bearer'>): Promise<InboundResponse> {
    return this.session.call((token) => this.http.send({ ...req, bearer: token }));
  }

  private url(path: string): string {
    return joinUrl(this.settings.canvas_base_url, path);
  }

  /** Throws the typed error for a non-2xx status. */
  check(res: InboundResponse, what: string): void {
    const error = errorForStatus(res, this.http, { now: this.now(), defaultRetryAfterMs: this.defaultRetryAfterMs, what });
    if (error) throw error;
  }

  /**
   * The course whose `integration_id` is `key`, searched in the configured account and then in the root account
   * (courses may have been moved there), including deleted and concluded ones.
   */
  async findCourse(key: string): Promise<CanvasCourseRef | undefined> {
    const accountId = this.settings.canvas_account_id;
    const inAccount = await this.searchAccount(accountId, key);
    if (inAccount) return inAccount;
    const res = await this.send({ method: 'GET', url: this.url('/api/v1/accounts'), query: { per_page: 100 } });
    this.check(res, 'Canvas accounts');
    const accounts = parseJson(res.text);
    const root = Array.isArray(accounts)
      ? accounts.map(asRecord).find((a) => a !== undefined && (a['parent_account_id'] === null || a['parent_account_id'] === undefined))
      : undefined;
    const rootId = root?.['id'];
    if (typeof rootId !== 'number' || rootId === accountId) return undefined;
    return this.searchAccount(rootId, key);
  }

  private async searchAccount(accountId: number, key: string): Promise<CanvasCourseRef | undefined> {
    const res = await this.send({
      method: 'GET',
      url: this.url(`/api/v1/accounts/${accountId}/courses`),
      query: { search_term: key, 'state[]': ['all'], per_page: 100 },
    });
    this.check(res, 'Canvas course search');
    const list = parseJson(res.text);
    if (!Array.isArray(list)) return undefined;
    const match = list.map(asRecord).find((c) => c?.['integration_id'] === key);
    const id = match?.['id'];
    if (typeof id !== 'number') return undefined;
    return { id, workflowState: typeof match?.['workflow_state'] === 'string' ? match['workflow_state'] : 'unknown' };
  }

  /** Create the course (unpublished) in the configured account; answers the response and the new id. */
  async create(course: CanvasCourse): Promise<{ res: InboundResponse; id: number | undefined }> {
    const res = await this.send({
      method: 'POST',
      url: this.url(`/api/v1/accounts/${this.settings.canvas_account_id}/courses`),
      json: { course },
    });
    const id = asRecord(parseJson(res.text))?.['id'];
    return { res, id: typeof id === 'number' ? id : undefined };
  }

  /** Update the course; `offer` also publishes it. */
  update(id: number, course: Partial<CanvasCourse> & { event?: 'offer' }): Promise<InboundResponse> {
    return this.send({ method: 'PUT', url: this.url(`/api/v1/courses/${id}`), json: { course } });
  }

  /** Conclude the course (upstream's delete): it stays in Canvas, read-only, out of the catalog. */
  conclude(id: number): Promise<InboundResponse> {
    return this.send({ method: 'DELETE', url: this.url(`/api/v1/courses/${id}`), json: { event: 'conclude' } });
  }
}
