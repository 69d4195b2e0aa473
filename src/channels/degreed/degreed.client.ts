/**
 * The subset of Degreed's API v2 the channel uses: client-credentials token, content/courses create, look-up by
 * external id, update, delete, and the skills relationship.
 */
import { type ChannelHttp, type InboundResponse, type OutboundRequest, errorForStatus, joinUrl, parseJson } from '../http/channel-http.js';
import { type TokenCache, tokenCacheKey } from '../http/token-cache.js';
import { TokenSession, readTokenResponse } from '../http/token-session.js';
import { asRecord, records, str } from '../mapping/fields.js';
import type { DegreedAttributes } from './degreed.mapping.js';
import type { DegreedSettings } from './degreed.settings.js';

export const DEGREED_TOKEN_PATH = '/oauth/token';
export const DEGREED_COURSES_PATH = '/api/v2/content/courses';
/** The scopes upstream asks for; content ones are what this channel needs. */
export const DEGREED_SCOPE = 'content:read,content:write,completions:write,completions:read';
const COURSE_TYPE = 'content/courses';

export class DegreedClient {
  private readonly session: TokenSession;

  constructor(
    private readonly http: ChannelHttp,
    private readonly settings: DegreedSettings,
    cache: TokenCache,
    configurationId: number,
    private readonly now: () => Date,
    private readonly defaultRetryAfterMs: number,
  ) {
    this.session = new TokenSession({
      http,
      cache,
      cacheKey: tokenCacheKey(configurationId, settings.degreed_base_url, settings.degreed_token_fetch_base_url, settings.client_id, settings.client_secret),
      now,
      fetchToken: () => this.fetchToken(),
      what: 'Degreed',
    });
  }

  private async fetchToken() {
    const s = this.settings;
    const res = await this.http.send({
      method: 'POST',
      url: joinUrl(s.degreed_token_fetch_base_url ?? s.degreed_base_url, DEGREED_TOKEN_PATH),
      form: { grant_type: 'client_credentials', scope: DEGREED_SCOPE, client_id: s.client_id, client_secret: s.client_secret },
    });
    return readTokenResponse(res, this.http, 'Degreed token', this.now(), this.defaultRetryAfterMs);
  }

  private send(req: Omit<OutboundRequest, 'bearer'>): Promise<InboundResponse> {
    return this.session.call((token) => this.http.send({ ...req, bearer: token }));
  }

  /** Throws the typed error for a non-2xx status. */
  check(res: InboundResponse, what: string): void {
    const error = errorForStatus(res, this.http, { now: this.now(), defaultRetryAfterMs: this.defaultRetryAfterMs, what });
    if (error) throw error;
  }

  private url(path: string): string {
    return joinUrl(this.settings.degreed_base_url, path);
  }

  /** POST a new course. The caller handles 409 (already exists). */
  create(attributes: DegreedAttributes): Promise<InboundResponse> {
    return this.send({ method: 'POST', url: this.url(DEGREED_COURSES_PATH), json: { data: { type: COURSE_TYPE, attributes } } });
  }

  /** The Degreed id of the course with this external id, if any. */
  async findId(externalId: string): Promise<string | undefined> {
    const res = await this.send({ method: 'GET', url: this.url(DEGREED_COURSES_PATH), query: { 'filter[external_id]': externalId } });
    this.check(res, 'Degreed look-up');
    const data = records(asRecord(parseJson(res.text)), 'data');
    const match = data.find((d) => str(asRecord(d['attributes']), 'external-id') === externalId) ?? data[0];
    const id = match?.['id'];
    return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
  }

  update(id: string, attributes: DegreedAttributes): Promise<InboundResponse> {
    return this.send({
      method: 'PATCH',
      url: this.url(`${DEGREED_COURSES_PATH}/${encodeURIComponent(id)}`),
      json: { data: { type: COURSE_TYPE, id, attributes } },
    });
  }

  delete(id: string): Promise<InboundResponse> {
    return this.send({ method: 'DELETE', url: this.url(`${DEGREED_COURSES_PATH}/${encodeURIComponent(id)}`) });
  }

  /** Replace the course's skills; callers treat failures as non-fatal. */
  setSkills(id: string, skills: readonly string[]): Promise<InboundResponse> {
    return this.send({
      method: 'PATCH',
      url: this.url(`/api/v2/content/${encodeURIComponent(id)}/relationships/skills`),
      json: { data: skills.map((name) => ({ type: 'skills', id: name })) },
    });
  }

  /** The id Degreed gave a course in a create/update response. */
  static idFrom(res: InboundResponse): string | undefined {
    const id = asRecord(asRecord(parseJson(res.text))?.['data'])?.['id'];
    return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
  }
}
