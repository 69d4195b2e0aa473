/**
 * Fake Canvas LMS: refresh-token grant (Canvas does not rotate refresh tokens) issuing expiring access tokens, a
 * root account with one sub-account, courses with `integration_id` and `workflow_state` (unpublished → available
 * on `offer`, completed on `conclude`, deleted on `delete`), course search per account with `state[]=all`.
 */
import { FakeLmsServer, type FakeReply, type FakeRequest, TokenIssuer, asObject } from './fake-lms-server.js';

export interface CanvasFakeCourse {
  id: number;
  account_id: number;
  workflow_state: 'unpublished' | 'available' | 'completed' | 'deleted';
  integration_id?: string;
  [field: string]: unknown;
}

export const CANVAS_ROOT_ACCOUNT = 1;
export const CANVAS_SUB_ACCOUNT = 2;

export class CanvasFake {
  readonly server = new FakeLmsServer();
  readonly tokens = new TokenIssuer('canvas');
  readonly courses = new Map<number, CanvasFakeCourse>();
  private nextId = 100;

  constructor(
    readonly clientId = '10000000000042',
    readonly clientSecret = 'canvas-dev-key-secret-0123456789',
    readonly refreshToken = 'canvas-refresh-0123456789abcdef',
  ) {
    const s = this.server;
    s.route('token', 'POST', /^\/login\/oauth2\/token$/, (req) => this.token(req));
    s.route('accounts', 'GET', /^\/api\/v1\/accounts$/, (req) => this.guard(req, () => this.accounts()));
    s.route('search', 'GET', /^\/api\/v1\/accounts\/(?<account>\d+)\/courses$/, (req) => this.guard(req, () => this.search(req)));
    s.route('create', 'POST', /^\/api\/v1\/accounts\/(?<account>\d+)\/courses$/, (req) => this.guard(req, () => this.create(req)));
    s.route('update', 'PUT', /^\/api\/v1\/courses\/(?<id>\d+)$/, (req) => this.guard(req, () => this.update(req)));
    s.route('delete', 'DELETE', /^\/api\/v1\/courses\/(?<id>\d+)$/, (req) => this.guard(req, () => this.remove(req)));
  }

  static readonly CONTENT_ROUTES = ['accounts', 'search', 'create', 'update', 'delete'] as const;

  async start(): Promise<void> {
    await this.server.start();
  }

  close(): Promise<void> {
    return this.server.close();
  }

  byIntegrationId(key: string): CanvasFakeCourse[] {
    return [...this.courses.values()].filter((c) => c.integration_id === key);
  }

  private token(req: FakeRequest): FakeReply {
    const f = req.form;
    if (f.get('client_id') !== this.clientId || f.get('client_secret') !== this.clientSecret) return { status: 401, json: { error: 'invalid_client' } };
    if (f.get('grant_type') !== 'refresh_token' || f.get('refresh_token') !== this.refreshToken) {
      return { status: 400, json: { error: 'invalid_grant', error_description: 'refresh_token not found' } };
    }
    return { json: { ...this.tokens.issue(), user: { id: 1, name: 'edX integration' } } };
  }

  private guard(req: FakeRequest, handle: () => FakeReply): FakeReply {
    if (!this.tokens.bearerValid(req)) {
      return { status: 401, headers: { 'www-authenticate': 'Bearer realm="canvas-lms"' }, json: { errors: [{ message: 'Invalid access token.' }] } };
    }
    return handle();
  }

  private accounts(): FakeReply {
    return {
      json: [
        { id: CANVAS_ROOT_ACCOUNT, name: 'Acme', parent_account_id: null, root_account_id: null },
        { id: CANVAS_SUB_ACCOUNT, name: 'edX courses', parent_account_id: CANVAS_ROOT_ACCOUNT, root_account_id: CANVAS_ROOT_ACCOUNT },
      ],
    };
  }

  private search(req: FakeRequest): FakeReply {
    const account = Number(req.params['account']);
    const term = (req.query.get('search_term') ?? '').toLowerCase();
    if (term.length > 0 && term.length < 2) return { status: 400, json: { errors: [{ message: 'search_term too short' }] } };
    const all = req.query.getAll('state[]').includes('all');
    const found = [...this.courses.values()].filter(
      (c) =>
        c.account_id === account &&
        (all || c.workflow_state !== 'deleted') &&
        (term === '' || String(c['name']).toLowerCase().includes(term) || String(c['course_code']).toLowerCase().includes(term)),
    );
    return { json: found };
  }

  private create(req: FakeRequest): FakeReply {
    const account = Number(req.params['account']);
    if (account !== CANVAS_ROOT_ACCOUNT && account !== CANVAS_SUB_ACCOUNT) return { status: 404, json: { errors: [{ message: 'account not found' }] } };
    const course = asObject(asObject(req.json)['course']);
    if (typeof course['name'] !== 'string') return { status: 400, json: { errors: { name: [{ message: 'required' }] } } };
    const integrationId = course['integration_id'];
    if (typeof integrationId === 'string' && this.byIntegrationId(integrationId).length > 0) {
      return { status: 400, json: { errors: { integration_id: [{ message: 'Integration ID is already in use' }] } } };
    }
    const id = this.nextId++;
    const created: CanvasFakeCourse = { ...course, id, account_id: account, workflow_state: 'unpublished' };
    this.courses.set(id, created);
    return { json: created };
  }

  private update(req: FakeRequest): FakeReply {
    const course = this.courses.get(Number(req.params['id']));
    if (!course || course.workflow_state === 'deleted') return { status: 404, json: { errors: [{ message: 'The specified resource does not exist.' }] } };
    const { event, ...fields } = asObject(asObject(req.json)['course']);
    Object.assign(course, fields);
    if (event === 'offer') course.workflow_state = 'available';
    if (event === 'conclude') course.workflow_state = 'completed';
    return { json: course };
  }

  private remove(req: FakeRequest): FakeReply {
    const course = this.courses.get(Number(req.params['id']));
    if (!course || course.workflow_state === 'deleted') return { status: 404, json: { errors: [{ message: 'The specified resource does not exist.' }] } };
    const event = asObject(req.json)['event'] ?? req.query.get('event');
    if (event === 'conclude') {
      course.workflow_state = 'completed';
      return { json: { conclude: true } };
    }
    if (event === 'delete') {
      course.workflow_state = 'deleted';
      return { json: { delete: true } };
    }
    return { status: 400, json: { errors: [{ message: 'event must be conclude or delete' }] } };
  }
}
