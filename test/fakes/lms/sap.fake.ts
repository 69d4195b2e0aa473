/**
 * Fake SuccessFactors Learning: client-credentials tokens (HTTP Basic + SAP's JSON scope) with expiry, and the OCN
 * course import that upserts courses by `courseID` (a delete is `status: "INACTIVE"`; SAP never removes a course).
 */
import { FakeLmsServer, type FakeReply, type FakeRequest, TokenIssuer, asObject, basicCredentials } from './fake-lms-server.js';

export interface SapFakeCourse {
  course: Record<string, unknown>;
  /** OCN calls that carried it. */
  imports: number;
}

export class SapFake {
  readonly server = new FakeLmsServer();
  readonly tokens = new TokenIssuer('sap');
  readonly courses = new Map<string, SapFakeCourse>();
  /** Number of courses in each OCN call, in order. */
  readonly callSizes: number[] = [];

  constructor(
    readonly clientId = 'sap-client-id',
    readonly clientSecret = 'sap-client-secret-0123456789',
    readonly companyId = 'ACMECORP',
    readonly userId = 'ecat-admin',
  ) {
    this.server.route('token', 'POST', /^\/learning\/oauth-api\/rest\/v1\/token$/, (req) => this.token(req));
    this.server.route('ocn', 'POST', /^\/learning\/odatav4\/public\/admin\/ocn\/v1\/OcnCourses$/, (req) => this.ocn(req));
  }

  async start(): Promise<void> {
    await this.server.start();
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private token(req: FakeRequest): FakeReply {
    const basic = basicCredentials(req);
    if (!basic || basic.username !== this.clientId || basic.password !== this.clientSecret) {
      return { status: 401, json: { error: 'invalid_client' } };
    }
    const body = asObject(req.json);
    const scope = asObject(body['scope']);
    if (body['grant_type'] !== 'client_credentials') return { status: 400, json: { error: 'unsupported_grant_type' } };
    if (scope['companyId'] !== this.companyId || scope['userId'] !== this.userId || scope['resourceType'] !== 'learning_public_api') {
      return { status: 400, json: { error: 'invalid_scope' } };
    }
    return { json: this.tokens.issue() };
  }

  private ocn(req: FakeRequest): FakeReply {
    if (!this.tokens.bearerValid(req)) return { status: 401, json: { error: { code: '401', message: 'token expired' } } };
    const list = asObject(req.json)['ocnCourses'];
    if (!Array.isArray(list) || list.length === 0) return { status: 400, json: { error: { message: 'ocnCourses required' } } };
    if (list.length > 1000) return { status: 400, json: { error: { message: 'too many courses' } } };
    for (const raw of list) {
      const c = asObject(raw);
      if (typeof c['courseID'] !== 'string' || typeof c['providerID'] !== 'string' || !Array.isArray(c['title'])) {
        return { status: 400, json: { error: { message: 'courseID, providerID and title are required' } } };
      }
    }
    this.callSizes.push(list.length);
    for (const raw of list) {
      const c = asObject(raw);
      const id = c['courseID'] as string;
      this.courses.set(id, { course: c, imports: (this.courses.get(id)?.imports ?? 0) + 1 });
    }
    return {
      json: {
        '@odata.context': '$metadata#OcnCourses',
        ocnCourses: list.map((raw) => ({ courseID: asObject(raw)['courseID'], status: asObject(raw)['status'] })),
      },
    };
  }
}
