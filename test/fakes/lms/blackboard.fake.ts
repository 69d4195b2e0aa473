/**
 * Fake Blackboard Learn REST API. The refresh-token grant rotates: every exchange returns a new refresh token and
 * retires the one used (a retired one answers 400 invalid_grant), as Blackboard does. Courses are kept by primary
 * id with unique `externalId` and `courseId` (409 on conflict); each has top-level contents with children.
 */
import { randomBytes } from 'node:crypto';
import { FakeLmsServer, type FakeReply, type FakeRequest, TokenIssuer, asObject, basicCredentials } from './fake-lms-server.js';

export interface BlackboardFakeContent {
  id: string;
  title: string;
  contentHandler: unknown;
  children: Record<string, unknown>[];
}

export interface BlackboardFakeCourse {
  id: string;
  externalId: string;
  courseId: string;
  name: string;
  description: string;
  contents: BlackboardFakeContent[];
}

export class BlackboardFake {
  readonly server = new FakeLmsServer();
  readonly tokens = new TokenIssuer('bb');
  readonly courses = new Map<string, BlackboardFakeCourse>();
  /** Every refresh token ever valid, in order; the last is the only one still valid. */
  readonly refreshTokens: string[];
  private nextId = 1;

  constructor(
    readonly appKey = 'bb-app-key',
    readonly appSecret = 'bb-app-secret-0123456789',
    initialRefreshToken = 'bb-refresh-initial-0123456789',
  ) {
    this.refreshTokens = [initialRefreshToken];
    const s = this.server;
    s.route('token', 'POST', /^\/learn\/api\/public\/v1\/oauth2\/token$/, (req) => this.token(req));
    s.route('find', 'GET', /^\/learn\/api\/public\/v3\/courses$/, (req) => this.guard(req, () => this.find(req)));
    s.route('create', 'POST', /^\/learn\/api\/public\/v3\/courses$/, (req) => this.guard(req, () => this.create(req)));
    s.route('update', 'PATCH', /^\/learn\/api\/public\/v3\/courses\/(?<id>[^/]+)$/, (req) => this.guard(req, () => this.update(req)));
    s.route('delete', 'DELETE', /^\/learn\/api\/public\/v3\/courses\/(?<id>[^/]+)$/, (req) => this.guard(req, () => this.remove(req)));
    s.route('contents', 'GET', /^\/learn\/api\/public\/v1\/courses\/(?<id>[^/]+)\/contents$/, (req) => this.guard(req, () => this.contents(req)));
    s.route('create-content', 'POST', /^\/learn\/api\/public\/v1\/courses\/(?<id>[^/]+)\/contents$/, (req) =>
      this.guard(req, () => this.createContent(req)),
    );
    s.route('create-child', 'POST', /^\/learn\/api\/public\/v1\/courses\/(?<id>[^/]+)\/contents\/(?<cid>[^/]+)\/children$/, (req) =>
      this.guard(req, () => this.createChild(req)),
    );
    s.route('delete-content', 'DELETE', /^\/learn\/api\/public\/v1\/courses\/(?<id>[^/]+)\/contents\/(?<cid>[^/]+)$/, (req) =>
      this.guard(req, () => this.deleteContent(req)),
    );
  }

  static readonly CONTENT_ROUTES = ['find', 'create', 'update', 'delete', 'contents', 'create-content', 'create-child', 'delete-content'] as const;

  /** The refresh token Blackboard currently accepts. */
  get currentRefreshToken(): string {
    return this.refreshTokens[this.refreshTokens.length - 1] as string;
  }

  async start(): Promise<void> {
    await this.server.start();
  }

  close(): Promise<void> {
    return this.server.close();
  }

  byExternalId(externalId: string): BlackboardFakeCourse[] {
    return [...this.courses.values()].filter((c) => c.externalId === externalId);
  }

  private token(req: FakeRequest): FakeReply {
    const basic = basicCredentials(req);
    if (!basic || basic.username !== this.appKey || basic.password !== this.appSecret) return { status: 401, json: { error: 'invalid_client' } };
    if (req.form.get('grant_type') !== 'refresh_token') return { status: 400, json: { error: 'unsupported_grant_type' } };
    if (req.form.get('refresh_token') !== this.currentRefreshToken) {
      return { status: 400, json: { error: 'invalid_grant', error_description: 'Invalid refresh token' } };
    }
    const next = `bb-refresh-${randomBytes(10).toString('hex')}`;
    this.refreshTokens.push(next);
    return { json: { ...this.tokens.issue(), refresh_token: next, scope: 'read write delete offline', user_id: 'u1' } };
  }

  private guard(req: FakeRequest, handle: () => FakeReply): FakeReply {
    if (!this.tokens.bearerValid(req)) return { status: 401, json: { status: 401, message: 'Bearer token is invalid' } };
    return handle();
  }

  private course(req: FakeRequest): BlackboardFakeCourse | undefined {
    return this.courses.get(req.params['id'] ?? '');
  }

  private find(req: FakeRequest): FakeReply {
    const externalId = req.query.get('externalId');
    const found = externalId === null ? [...this.courses.values()] : this.byExternalId(externalId);
    return { json: { results: found.map(({ contents: _c, ...c }) => c) } };
  }

  private create(req: FakeRequest): FakeReply {
    const body = asObject(req.json);
    const { externalId, courseId, name } = body;
    if (typeof externalId !== 'string' || typeof courseId !== 'string' || typeof name !== 'string') {
      return { status: 400, json: { status: 400, message: 'externalId, courseId and name are required' } };
    }
    if (courseId.length > 100) return { status: 400, json: { status: 400, message: 'courseId too long' } };
    const taken = [...this.courses.values()].some((c) => c.externalId === externalId || c.courseId === courseId);
    if (taken) return { status: 409, json: { status: 409, message: 'Unique ID conflicts with existing data' } };
    const id = `_${this.nextId++}_1`;
    const course: BlackboardFakeCourse = { id, externalId, courseId, name, description: typeof body['description'] === 'string' ? body['description'] : '', contents: [] };
    this.courses.set(id, course);
    return { status: 201, json: { id, externalId, courseId, name } };
  }

  private update(req: FakeRequest): FakeReply {
    const course = this.course(req);
    if (!course) return { status: 404, json: { status: 404, message: 'Course not found' } };
    const body = asObject(req.json);
    if (typeof body['name'] === 'string') course.name = body['name'];
    if (typeof body['description'] === 'string') course.description = body['description'];
    return { json: { id: course.id, externalId: course.externalId, name: course.name } };
  }

  private remove(req: FakeRequest): FakeReply {
    if (!this.courses.delete(req.params['id'] ?? '')) return { status: 404, json: { status: 404, message: 'Course not found' } };
    return { status: 202 };
  }

  private contents(req: FakeRequest): FakeReply {
    const course = this.course(req);
    if (!course) return { status: 404, json: { status: 404 } };
    return { json: { results: course.contents.map(({ children: _ch, ...c }) => c) } };
  }

  private createContent(req: FakeRequest): FakeReply {
    const course = this.course(req);
    if (!course) return { status: 404, json: { status: 404 } };
    const body = asObject(req.json);
    if (typeof body['title'] !== 'string') return { status: 400, json: { status: 400, message: 'title required' } };
    const content: BlackboardFakeContent = { id: `_c${this.nextId++}_1`, title: body['title'], contentHandler: body['contentHandler'], children: [] };
    course.contents.push(content);
    return { status: 201, json: { id: content.id, title: content.title } };
  }

  private createChild(req: FakeRequest): FakeReply {
    const content = this.course(req)?.contents.find((c) => c.id === req.params['cid']);
    if (!content) return { status: 404, json: { status: 404 } };
    const child = { id: `_d${this.nextId++}_1`, ...asObject(req.json) };
    content.children.push(child);
    return { status: 201, json: child };
  }

  private deleteContent(req: FakeRequest): FakeReply {
    const course = this.course(req);
    const i = course?.contents.findIndex((c) => c.id === req.params['cid']) ?? -1;
    if (!course || i < 0) return { status: 404, json: { status: 404 } };
    course.contents.splice(i, 1);
    return { status: 204 };
  }
}
