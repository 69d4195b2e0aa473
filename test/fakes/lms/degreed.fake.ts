/**
 * Fake Degreed API v2: client-credentials tokens with expiry (form-encoded, scope checked), content/courses keyed
 * by `external-id` (a second create answers 409), look-up by `filter[external_id]`, update, delete, and the skills
 * relationship.
 */
import { FakeLmsServer, type FakeReply, type FakeRequest, TokenIssuer, asObject } from './fake-lms-server.js';

export interface DegreedFakeCourse {
  id: string;
  attributes: Record<string, unknown>;
  skills: string[];
}

export class DegreedFake {
  readonly server = new FakeLmsServer();
  readonly tokens = new TokenIssuer('degreed');
  /** By Degreed id. */
  readonly courses = new Map<string, DegreedFakeCourse>();
  private nextId = 1;

  constructor(
    readonly clientId = 'degreed-client',
    readonly clientSecret = 'degreed-secret-0123456789',
  ) {
    const s = this.server;
    s.route('token', 'POST', /^\/oauth\/token$/, (req) => this.token(req));
    s.route('list', 'GET', /^\/api\/v2\/content\/courses$/, (req) => this.guard(req, () => this.list(req)));
    s.route('create', 'POST', /^\/api\/v2\/content\/courses$/, (req) => this.guard(req, () => this.create(req)));
    s.route('update', 'PATCH', /^\/api\/v2\/content\/courses\/(?<id>[^/]+)$/, (req) => this.guard(req, () => this.update(req)));
    s.route('delete', 'DELETE', /^\/api\/v2\/content\/courses\/(?<id>[^/]+)$/, (req) => this.guard(req, () => this.remove(req)));
    s.route('skills', 'PATCH', /^\/api\/v2\/content\/(?<id>[^/]+)\/relationships\/skills$/, (req) => this.guard(req, () => this.skills(req)));
  }

  /** Content routes, for fault injection. */
  static readonly CONTENT_ROUTES = ['list', 'create', 'update', 'delete'] as const;

  async start(): Promise<void> {
    await this.server.start();
  }

  close(): Promise<void> {
    return this.server.close();
  }

  byExternalId(externalId: string): DegreedFakeCourse[] {
    return [...this.courses.values()].filter((c) => c.attributes['external-id'] === externalId);
  }

  private token(req: FakeRequest): FakeReply {
    const f = req.form;
    if (f.get('client_id') !== this.clientId || f.get('client_secret') !== this.clientSecret) return { status: 401, json: { error: 'invalid_client' } };
    if (f.get('grant_type') !== 'client_credentials') return { status: 400, json: { error: 'unsupported_grant_type' } };
    if (!(f.get('scope') ?? '').split(',').includes('content:write')) return { status: 400, json: { error: 'invalid_scope' } };
    return { json: this.tokens.issue() };
  }

  private guard(req: FakeRequest, handle: () => FakeReply): FakeReply {
    if (!this.tokens.bearerValid(req)) return { status: 401, json: { errors: [{ status: '401', title: 'Unauthorized' }] } };
    return handle();
  }

  private list(req: FakeRequest): FakeReply {
    const externalId = req.query.get('filter[external_id]');
    const found = externalId === null ? [...this.courses.values()] : this.byExternalId(externalId);
    return { json: { data: found.map((c) => ({ id: c.id, type: 'content/courses', attributes: c.attributes })) } };
  }

  private create(req: FakeRequest): FakeReply {
    const data = asObject(asObject(req.json)['data']);
    const attributes = asObject(data['attributes']);
    const externalId = attributes['external-id'];
    if (data['type'] !== 'content/courses' || typeof externalId !== 'string' || typeof attributes['title'] !== 'string') {
      return { status: 400, json: { errors: [{ status: '400', title: 'type, external-id and title are required' }] } };
    }
    if (this.byExternalId(externalId).length > 0) return { status: 409, json: { errors: [{ status: '409', title: 'Conflict' }] } };
    const id = `c${this.nextId++}`;
    this.courses.set(id, { id, attributes, skills: [] });
    return { status: 201, json: { data: { id, type: 'content/courses', attributes } } };
  }

  private update(req: FakeRequest): FakeReply {
    const course = this.courses.get(req.params['id'] ?? '');
    if (!course) return { status: 404, json: { errors: [{ status: '404', title: 'Not Found' }] } };
    const data = asObject(asObject(req.json)['data']);
    if (data['id'] !== course.id) return { status: 400, json: { errors: [{ status: '400', title: 'id mismatch' }] } };
    course.attributes = { ...course.attributes, ...asObject(data['attributes']) };
    return { json: { data: { id: course.id, type: 'content/courses', attributes: course.attributes } } };
  }

  private remove(req: FakeRequest): FakeReply {
    if (!this.courses.delete(req.params['id'] ?? '')) return { status: 404, json: { errors: [{ status: '404', title: 'Not Found' }] } };
    return { status: 204 };
  }

  private skills(req: FakeRequest): FakeReply {
    const course = this.courses.get(req.params['id'] ?? '');
    if (!course) return { status: 404 };
    const data = asObject(req.json)['data'];
    course.skills = Array.isArray(data) ? data.map((d) => String(asObject(d)['id'])) : [];
    return { status: 204 };
  }
}
