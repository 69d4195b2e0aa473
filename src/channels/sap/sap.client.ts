/**
 * The subset of SuccessFactors Learning's API the SAP channel uses: the OAuth token (client credentials with SAP's
 * JSON scope, HTTP Basic with the client id and secret) and the OCN course import.
 */
import { type ChannelHttp, type InboundResponse, joinUrl } from '../http/channel-http.js';
import type { TokenCache } from '../http/token-cache.js';
import { tokenCacheKey } from '../http/token-cache.js';
import { TokenSession, readTokenResponse } from '../http/token-session.js';
import type { SapOcnCourse } from './sap.mapping.js';
import { SAP_DEFAULT_COURSE_PATH, SAP_DEFAULT_OAUTH_PATH, type SapSettings } from './sap.settings.js';

export class SapClient {
  private readonly session: TokenSession;

  constructor(
    private readonly http: ChannelHttp,
    private readonly settings: SapSettings,
    cache: TokenCache,
    configurationId: number,
    private readonly now: () => Date,
    private readonly defaultRetryAfterMs: number,
  ) {
    this.session = new TokenSession({
      http,
      cache,
      cacheKey: tokenCacheKey(configurationId, settings.sapsf_base_url, settings.client_id, settings.client_secret, settings.sapsf_user_id, settings.sapsf_company_id, settings.user_type),
      now,
      fetchToken: () => this.fetchToken(),
      what: 'SAP',
    });
  }

  private async fetchToken() {
    const s = this.settings;
    const res = await this.http.send({
      method: 'POST',
      url: joinUrl(s.sapsf_base_url, s.oauth_api_path ?? SAP_DEFAULT_OAUTH_PATH),
      basic: { username: s.client_id, password: s.client_secret },
      json: {
        grant_type: 'client_credentials',
        scope: { userId: s.sapsf_user_id, companyId: s.sapsf_company_id, userType: s.user_type ?? 'user', resourceType: 'learning_public_api' },
      },
    });
    return readTokenResponse(res, this.http, 'SAP token', this.now(), this.defaultRetryAfterMs);
  }

  /** One OCN import call. Create, update and delete are all this call (delete = `status: "INACTIVE"`). */
  importCourses(courses: readonly SapOcnCourse[]): Promise<InboundResponse> {
    const url = joinUrl(this.settings.sapsf_base_url, this.settings.course_api_path ?? SAP_DEFAULT_COURSE_PATH);
    return this.session.call((token) => this.http.send({ method: 'POST', url, bearer: token, json: { ocnCourses: courses } }));
  }
}
