/**
 * The subset of Blackboard Learn's REST API the channel uses: the refresh-token grant (which rotates the refresh
 * token), courses (v3) and course contents (v1).
 */
import { type ChannelContext, UnavailableChannelError } from '../channel-adapter.js';
import { type ChannelHttp, type InboundResponse, type OutboundRequest, errorForStatus, joinUrl, parseJson } from '../http/channel-http.js';
import { type TokenCache, tokenCacheKey } from '../http/token-cache.js';
import { TokenSession, readTokenResponse } from '../http/token-session.js';
import { asRecord, records, str } from '../mapping/fields.js';
import type { BlackboardPayload } from './blackboard.mapping.js';
import type { BlackboardSettings } from './blackboard.settings.js';

const TOKEN_PATH = '/learn/api/public/v1/oauth2/token';
const COURSES_V3 = '/learn/api/public/v3/courses';
const COURSES_V1 = '/learn/api/public/v1/courses';
/** Retired refresh tokens remembered per configuration; only the latest few can still be in stale settings. */
const MAX_RETIRED = 20;

/**
 * Refresh tokens this process rotated, per configuration. A context's `settings` is a snapshot, so within a run
 * (or before the engine reloads the configuration) it may still hold a token Blackboard has already retired; this
 * memory supplies the current one instead.
 */
export class RefreshTokenRotations {
  private readonly byConfig = new Map<number, { retired: string[]; current: string }>();

  /** The refresh token to use for a configuration whose settings hold `fromSettings`. */
  current(configurationId: number, fromSettings: string): string {
    const known = this.byConfig.get(configurationId);
    return known && known.retired.includes(fromSettings) ? known.current : fromSettings;
  }

  record(configurationId: number, used: string, next: string): void {
    const retired = [...(this.byConfig.get(configurationId)?.retired ?? []), used].slice(-MAX_RETIRED);
    this.byConfig.set(configurationId, { retired, current: next });
  }
}

export class BlackboardClient {
  private readonly session: TokenSession;

  constructor(
    private readonly http: ChannelHttp,
    private readonly ctx: Pick<ChannelContext<BlackboardSettings>, 'settings' | 'configurationId' | 'saveSettings' | 'now'>,
    cache: TokenCache,
    private readonly rotations: RefreshTokenRotations,
    private readonly defaultRetryAfterMs: number,
  ) {
    const s = ctx.settings;
    this.session = new TokenSession({
      http,
      cache,
      // Not keyed by the refresh token: it changes on every refresh while the access token stays valid.
      cacheKey: tokenCacheKey(ctx.configurationId, s.blackboard_base_url, s.client_id, s.client_secret),
      now: () => ctx.now(),
      fetchToken: () => this.fetchToken(),
      what: 'Blackboard',
    });
  }

  /**
   * Exchange the refresh token. Blackboard answers with a new refresh token and retires the old one, so the new
   * one is remembered at once and saved (durably, through the engine) before the access token is used. If it
   * cannot be saved, the call fails as unavailable: the retry in this process uses the remembered token.
   */
  private async fetchToken() {
    const s = this.ctx.settings;
    const refreshToken = this.rotations.current(this.ctx.configurationId, s.refresh_token);
    this.http.addSecret(refreshToken);
    const res = await this.http.send({
      method: 'POST',
      url: joinUrl(s.blackboard_base_url, TOKEN_PATH),
      basic: { username: s.client_id, password: s.client_secret },
      form: { grant_type: 'refresh_token', refresh_token: refreshToken },
    });
    const issued = readTokenResponse(res, this.http, 'Blackboard token', this.ctx.now(), this.defaultRetryAfterMs);
    const next = issued.body['refresh_token'];
    if (typeof next === 'string' && next !== '' && next !== refreshToken) {
      this.rotations.record(this.ctx.configurationId, refreshToken, next);
      try {
        await this.ctx.saveSettings({ refresh_token: next });
      } catch (err) {
        throw new UnavailableChannelError(`Blackboard: the rotated refresh token could not be saved (${err instanceof Error ? err.message : String(err)})`);
      }
    }
    return issued;
  }

  private send(req: Omit<OutboundRequest, 'bearer'>): Promise<InboundResponse> {
    return this.session.call((token) => this.http.send({ ...req, bearer: token }));
  }

  private url(path: string): string {
    return joinUrl(this.ctx.settings.blackboard_base_url, path);
  }

  /** Throws the typed error for a non-2xx status. */
  check(res: InboundResponse, what: string): void {
    const error = errorForStatus(res, this.http, { now: this.ctx.now(), defaultRetryAfterMs: this.defaultRetryAfterMs, what });
    if (error) throw error;
  }

  /** Blackboard's primary id (`_123_1`) of the course with this external id, if any. */
  async findCourse(externalId: string): Promise<string | undefined> {
    const res = await this.send({ method: 'GET', url: this.url(COURSES_V3), query: { externalId, fields: 'id,externalId,courseId' } });
    this.check(res, 'Blackboard course look-up');
    const match = records(asRecord(parseJson(res.text)), 'results').find((c) => c['externalId'] === externalId);
    return str(match, 'id');
  }

  /** Create the course; the caller handles 409 (an id already taken). */
  createCourse(course: BlackboardPayload['course_metadata']): Promise<InboundResponse> {
    return this.send({ method: 'POST', url: this.url(COURSES_V3), json: course });
  }

  updateCourse(id: string, course: Omit<BlackboardPayload['course_metadata'], 'courseId'>): Promise<InboundResponse> {
    return this.send({ method: 'PATCH', url: this.url(`${COURSES_V3}/${encodeURIComponent(id)}`), json: course });
  }

  deleteCourse(id: string): Promise<InboundResponse> {
    return this.send({ method: 'DELETE', url: this.url(`${COURSES_V3}/${encodeURIComponent(id)}`) });
  }

  /** Top-level contents of a course: id and title. */
  async listContents(courseId: string): Promise<{ id: string; title: string }[]> {
    const res = await this.send({ method: 'GET', url: this.url(`${COURSES_V1}/${encodeURIComponent(courseId)}/contents`) });
    this.check(res, 'Blackboard contents');
    return records(asRecord(parseJson(res.text)), 'results')
      .map((c) => ({ id: str(c, 'id') ?? '', title: str(c, 'title') ?? '' }))
      .filter((c) => c.id !== '');
  }

  createContent(courseId: string, content: BlackboardPayload['course_content_metadata']): Promise<InboundResponse> {
    return this.send({ method: 'POST', url: this.url(`${COURSES_V1}/${encodeURIComponent(courseId)}/contents`), json: content });
  }

  createChild(courseId: string, parentId: string, child: BlackboardPayload['course_child_content_metadata']): Promise<InboundResponse> {
    return this.send({
      method: 'POST',
      url: this.url(`${COURSES_V1}/${encodeURIComponent(courseId)}/contents/${encodeURIComponent(parentId)}/children`),
      json: child,
    });
  }

  deleteContent(courseId: string, contentId: string): Promise<InboundResponse> {
    return this.send({
      method: 'DELETE',
      url: this.url(`${COURSES_V1}/${encodeURIComponent(courseId)}/contents/${encodeURIComponent(contentId)}`),
    });
  }

  /** The `id` of a created resource. */
  static idFrom(res: InboundResponse): string | undefined {
    return str(asRecord(parseJson(res.text)), 'id');
  }
}
