/**
 * The subset of Moodle's REST web services the channel uses. Moodle answers HTTP 200 even for errors, with a body
 * `{"exception", "errorcode", "message"}`; this client turns those into typed outcomes (as the successor of
 * upstream maps error codes to statuses, P8).
 */
import {
  type ChannelError,
  PermanentChannelError,
  UnavailableChannelError,
} from '../channel-adapter.js';
import { type ChannelHttp, type InboundResponse, errorForStatus, joinUrl, parseJson } from '../http/channel-http.js';
import { chunkWide } from '../http/per-item.js';
import { type TokenCache, tokenCacheKey } from '../http/token-cache.js';
import { TokenSession } from '../http/token-session.js';
import { asRecord, num, records, str } from '../mapping/fields.js';
import { type MoodleCourse, moodleCourseForm } from './moodle.mapping.js';
import type { MoodleSettings } from './moodle.settings.js';

/** A Moodle web-service error found in a 200 body. */
export interface MoodleFault {
  errorcode: string;
  message: string;
}

/** Error codes whose meaning is "you may not", for every item. */
const ACCESS_CODES = new Set(['accessexception', 'servicenotavailable', 'nopermissions', 'requireloginerror', 'forcepasswordchangenotice', 'usernotfullysetup']);
/** Error codes of a Moodle-side failure worth retrying. */
const TRANSIENT_CODES = new Set(['dmlreadexception', 'dmlwriteexception', 'dbconnectionfailed', 'dmltransactionexception', 'sitemaintenance']);
const NOT_FOUND_CODES = new Set(['invalidrecord', 'invalidrecordunknown', 'invalidcourseid', 'coursenotexist']);
export const MOODLE_DUPLICATE_CODES = new Set(['shortnametaken', 'courseidnumbertaken']);

/** The error a Moodle error code stands for, with the HTTP status the successor of upstream maps it to. */
export function moodleError(fault: MoodleFault, what: string): ChannelError {
  const message = `${what}: Moodle ${fault.errorcode}: ${fault.message}`;
  const body = JSON.stringify(fault);
  if (TRANSIENT_CODES.has(fault.errorcode)) return new UnavailableChannelError(message, 503, body);
  if (fault.errorcode === 'invalidtoken') return chunkWide(new PermanentChannelError(message, 401, body));
  if (ACCESS_CODES.has(fault.errorcode)) return chunkWide(new PermanentChannelError(message, 403, body));
  if (NOT_FOUND_CODES.has(fault.errorcode)) return new PermanentChannelError(message, 404, body);
  if (MOODLE_DUPLICATE_CODES.has(fault.errorcode)) return new PermanentChannelError(message, 409, body);
  return new PermanentChannelError(message, 400, body);
}

/** The error of a 200 body, if it is one (`errorcode` for web services, `error` + `errorcode` for token.php). */
export function moodleFault(body: unknown): MoodleFault | undefined {
  const r = asRecord(body);
  const errorcode = str(r, 'errorcode');
  if (errorcode === undefined) return undefined;
  return { errorcode, message: str(r, 'message') ?? str(r, 'error') ?? '' };
}

/** A course as `core_course_get_courses_by_field` reports it. */
export interface MoodleCourseRef {
  id: number;
  visible: number | undefined;
}

export class MoodleClient {
  private readonly session: TokenSession;
  private readonly cacheKey: string;
  private lastToken: string | undefined;

  constructor(
    private readonly http: ChannelHttp,
    private readonly settings: MoodleSettings,
    cache: TokenCache,
    configurationId: number,
    private readonly now: () => Date,
    private readonly defaultRetryAfterMs: number,
    /** Cache keys whose configured static token Moodle refused; shared by the adapter's calls. */
    private readonly refusedStaticTokens: Set<string>,
  ) {
    this.cacheKey = tokenCacheKey(configurationId, settings.moodle_base_url, settings.service_short_name, settings.token, settings.username, settings.password);
    this.session = new TokenSession({ http, cache, cacheKey: this.cacheKey, now, fetchToken: () => this.fetchToken(), what: 'Moodle' });
  }

  /**
   * The configured token while Moodle accepts it; otherwise (or without one) a token from `login/token.php`. With
   * no username/password there is nothing to fall back to, which is a credentials problem for the whole chunk.
   */
  private async fetchToken() {
    const s = this.settings;
    if (s.token !== undefined && !this.refusedStaticTokens.has(this.cacheKey)) {
      // A configured token does not expire by time; keep it until Moodle refuses it.
      return { accessToken: s.token, expiresInSec: 365 * 24 * 3600 };
    }
    if (s.username === undefined || s.password === undefined) {
      throw chunkWide(new PermanentChannelError('Moodle refused the configured token and no username/password is set to obtain another', 401));
    }
    const res = await this.http.send({
      method: 'POST',
      url: joinUrl(s.moodle_base_url, '/login/token.php'),
      query: { service: s.service_short_name },
      form: { username: s.username, password: s.password },
    });
    const statusError = errorForStatus(res, this.http, { now: this.now(), defaultRetryAfterMs: this.defaultRetryAfterMs, what: 'Moodle token' });
    if (statusError) throw statusError.retryable ? statusError : chunkWide(statusError);
    const body = parseJson(res.text);
    const fault = moodleFault(body);
    if (fault) {
      const error = moodleError(fault, 'Moodle token');
      throw error.retryable ? error : chunkWide(error);
    }
    const token = str(asRecord(body), 'token');
    if (token === undefined) throw chunkWide(new PermanentChannelError('Moodle token: no token in response', res.status));
    this.http.addSecret(token);
    this.http.addSecret(str(asRecord(body), 'privatetoken'));
    return { accessToken: token };
  }

  /**
   * Call a web-service function (POST, form-encoded; the token stays out of URLs). Answers the parsed body of a
   * success; throws the typed error of an HTTP failure or a Moodle error body. `invalidtoken` gets one retry with a
   * new token.
   */
  async call(wsfunction: string, params: Record<string, string>, what: string): Promise<unknown> {
    const url = joinUrl(this.settings.moodle_base_url, '/webservice/rest/server.php');
    const res = await this.session.call(
      (token) => {
        this.lastToken = token;
        return this.http.send({ method: 'POST', url, form: { wstoken: token, moodlewsrestformat: 'json', wsfunction, ...params } });
      },
      (r) => {
        const invalid = r.status === 200 && moodleFault(parseJson(r.text))?.errorcode === 'invalidtoken';
        if (invalid && this.lastToken === this.settings.token) this.refusedStaticTokens.add(this.cacheKey);
        return invalid;
      },
    );
    return this.read(res, what);
  }

  private read(res: InboundResponse, what: string): unknown {
    const error = errorForStatus(res, this.http, { now: this.now(), defaultRetryAfterMs: this.defaultRetryAfterMs, what });
    if (error) throw error;
    const body = parseJson(res.text);
    const fault = moodleFault(body);
    if (fault) throw moodleError(fault, what);
    return body;
  }

  /** The course whose `field` (idnumber, shortname) equals `value`, if any. */
  async findCourse(field: 'idnumber' | 'shortname', value: string): Promise<MoodleCourseRef | undefined> {
    const body = await this.call('core_course_get_courses_by_field', { field, value }, `Moodle look-up by ${field}`);
    const course = records(asRecord(body), 'courses').find((c) => c[field] === value);
    const id = num(course, 'id');
    return id === undefined ? undefined : { id, visible: num(course, 'visible') };
  }

  /** Create one course; answers its new id. */
  async createCourse(course: MoodleCourse): Promise<{ id: number | undefined; body: unknown }> {
    const body = await this.call('core_course_create_courses', moodleCourseForm(course), 'Moodle create');
    const first = Array.isArray(body) ? asRecord(body[0]) : undefined;
    return { id: num(first, 'id'), body };
  }

  /** Update one course. Moodle reports per-course problems as warnings, which fail the item. */
  async updateCourse(id: number, course: MoodleCourse): Promise<unknown> {
    const body = await this.call('core_course_update_courses', moodleCourseForm({ ...course, id }), 'Moodle update');
    const warning = records(asRecord(body), 'warnings')[0];
    if (warning) {
      throw moodleError({ errorcode: str(warning, 'warningcode') ?? 'warning', message: str(warning, 'message') ?? '' }, 'Moodle update');
    }
    return body;
  }
}
