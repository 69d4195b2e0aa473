/**
 * One entry per adapter for the conformance suite: how to start its fake LMS, the settings pointing at it, and
 * how to read the fake's state in the LMS's own terms (present, live, how many copies).
 */
import type { ChannelAdapter, ChannelCode } from '../../src/channels/channel-adapter.js';
import { createGenericAdapter } from '../../src/channels/generic/generic.adapter.js';
import type { Fault, FakeLmsServer } from '../fakes/lms/fake-lms-server.js';
import { GenericFake } from '../fakes/lms/generic.fake.js';
import { SapFake } from '../fakes/lms/sap.fake.js';
import { DegreedFake } from '../fakes/lms/degreed.fake.js';
import { createDegreedAdapter } from '../../src/channels/degreed/degreed.adapter.js';
import { CANVAS_SUB_ACCOUNT, CanvasFake } from '../fakes/lms/canvas.fake.js';
import { createCanvasAdapter } from '../../src/channels/canvas/canvas.adapter.js';
import { BlackboardFake } from '../fakes/lms/blackboard.fake.js';
import { createBlackboardAdapter } from '../../src/channels/blackboard/blackboard.adapter.js';
import { MoodleFake } from '../fakes/lms/moodle.fake.js';
import { createMoodleAdapter } from '../../src/channels/moodle/moodle.adapter.js';
import { createSapAdapter } from '../../src/channels/sap/sap.adapter.js';

/** Timeout of the suite's adapters: generous, so a loaded CI machine does not fail ordinary calls. */
export const SUITE_TIMEOUT_MS = 10_000;
/** Timeout of the adapter the "hang" test uses, so that test stays fast. */
export const HANG_TIMEOUT_MS = 800;

export interface RemoteCourse {
  title: string;
  /** Visible to learners: not deleted, not inactive, not hidden, not concluded. */
  live: boolean;
}

export interface FakeHandle {
  // The suite drives adapters of different settings types through one interface.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- settings differ per adapter; each case pairs them
  adapter: ChannelAdapter<any>;
  /** A fresh adapter of the same channel with another timeout. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
  withTimeout(timeoutMs: number): ChannelAdapter<any>;
  settings: Record<string, unknown>;
  server: FakeLmsServer;
  /** Routes that carry content calls (where faults are injected). */
  contentRoutes: readonly string[];
  /** Routes that issue tokens; empty for channels without tokens. */
  tokenRoutes: readonly string[];
  /** The remote course for a content id, as the LMS models it, or undefined if it does not exist at all. */
  remote(contentId: string): RemoteCourse | undefined;
  /** Remote records carrying this content id (duplicates > 1). */
  copies(contentId: string): number;
  /** Make every issued token invalid; undefined for channels without tokens. */
  expireTokens?: () => void;
  /** The fault that makes a content call fail for an auth reason (401, or Moodle's invalidtoken). */
  authFault?: Fault;
  /** A permanent, item-level refusal (400 or the LMS's equivalent). */
  permanentFault: Fault;
  /** Whether the adapter sends one item per call (and so can finish part of a chunk). */
  perItem: boolean;
  /** Every credential the adapter knows or was issued; none may appear in a log entry. */
  secrets(): string[];
  close(): Promise<void>;
}

export interface ConformanceCase {
  code: ChannelCode;
  start(): Promise<FakeHandle>;
}

const generic: ConformanceCase = {
  code: 'GENERIC',
  async start() {
    const fake = new GenericFake();
    await fake.start();
    return {
      adapter: createGenericAdapter({ timeoutMs: SUITE_TIMEOUT_MS }),
      withTimeout: (timeoutMs) => createGenericAdapter({ timeoutMs }),
      settings: { url: fake.hookUrl, signing_secret: fake.signingSecret },
      server: fake.server,
      contentRoutes: ['hook'],
      tokenRoutes: [],
      remote: (id) => {
        const r = fake.items.get(id);
        return r && { title: String(r.item['title']), live: !r.deleted };
      },
      copies: (id) => (fake.items.has(id) ? 1 : 0),
      permanentFault: { status: 422, json: { error: 'unprocessable' } },
      perItem: false,
      secrets: () => [fake.signingSecret],
      close: () => fake.close(),
    };
  },
};

const sap: ConformanceCase = {
  code: 'SAP',
  async start() {
    const fake = new SapFake();
    await fake.start();
    return {
      adapter: createSapAdapter({ timeoutMs: SUITE_TIMEOUT_MS }),
      withTimeout: (timeoutMs) => createSapAdapter({ timeoutMs }),
      settings: {
        sapsf_base_url: fake.server.url,
        sapsf_company_id: fake.companyId,
        sapsf_user_id: fake.userId,
        client_id: fake.clientId,
        client_secret: fake.clientSecret,
        additional_locales: ['Spanish'],
      },
      server: fake.server,
      contentRoutes: ['ocn'],
      tokenRoutes: ['token'],
      remote: (id) => {
        const c = fake.courses.get(id)?.course;
        if (!c) return undefined;
        const title = (c['title'] as { value: string }[])[0]?.value ?? '';
        return { title, live: c['status'] === 'ACTIVE' };
      },
      copies: (id) => (fake.courses.has(id) ? 1 : 0),
      expireTokens: () => fake.tokens.expireAll(),
      authFault: { status: 401, json: { error: 'invalid token' } },
      permanentFault: { status: 400, json: { error: { message: 'invalid course' } } },
      perItem: false,
      secrets: () => [fake.clientSecret, ...fake.tokens.issued],
      close: () => fake.close(),
    };
  },
};

const degreed: ConformanceCase = {
  code: 'DEGREED2',
  async start() {
    const fake = new DegreedFake();
    await fake.start();
    return {
      adapter: createDegreedAdapter({ timeoutMs: SUITE_TIMEOUT_MS }),
      withTimeout: (timeoutMs) => createDegreedAdapter({ timeoutMs }),
      settings: { degreed_base_url: fake.server.url, client_id: fake.clientId, client_secret: fake.clientSecret },
      server: fake.server,
      contentRoutes: DegreedFake.CONTENT_ROUTES,
      tokenRoutes: ['token'],
      remote: (id) => {
        const c = fake.byExternalId(id)[0];
        return c && { title: String(c.attributes['title']), live: c.attributes['obsolete'] !== true };
      },
      copies: (id) => fake.byExternalId(id).length,
      expireTokens: () => fake.tokens.expireAll(),
      authFault: { status: 401, json: { errors: [{ status: '401' }] } },
      permanentFault: { status: 400, json: { errors: [{ status: '400', title: 'Bad Request' }] } },
      perItem: true,
      secrets: () => [fake.clientSecret, ...fake.tokens.issued],
      close: () => fake.close(),
    };
  },
};

const canvas: ConformanceCase = {
  code: 'CANVAS',
  async start() {
    const fake = new CanvasFake();
    await fake.start();
    return {
      adapter: createCanvasAdapter({ timeoutMs: SUITE_TIMEOUT_MS }),
      withTimeout: (timeoutMs) => createCanvasAdapter({ timeoutMs }),
      settings: {
        canvas_base_url: fake.server.url,
        canvas_account_id: CANVAS_SUB_ACCOUNT,
        client_id: fake.clientId,
        client_secret: fake.clientSecret,
        refresh_token: fake.refreshToken,
      },
      server: fake.server,
      contentRoutes: CanvasFake.CONTENT_ROUTES,
      tokenRoutes: ['token'],
      remote: (id) => {
        const c = fake.byIntegrationId(id)[0];
        return c && { title: String(c['name']), live: c.workflow_state === 'available' };
      },
      copies: (id) => fake.byIntegrationId(id).length,
      expireTokens: () => fake.tokens.expireAll(),
      authFault: { status: 401, json: { errors: [{ message: 'Invalid access token.' }] } },
      permanentFault: { status: 400, json: { errors: [{ message: 'Bad Request' }] } },
      perItem: true,
      secrets: () => [fake.clientSecret, fake.refreshToken, ...fake.tokens.issued],
      close: () => fake.close(),
    };
  },
};

const blackboard: ConformanceCase = {
  code: 'BLACKBOARD',
  async start() {
    const fake = new BlackboardFake();
    await fake.start();
    return {
      adapter: createBlackboardAdapter({ timeoutMs: SUITE_TIMEOUT_MS }),
      withTimeout: (timeoutMs) => createBlackboardAdapter({ timeoutMs }),
      settings: {
        blackboard_base_url: fake.server.url,
        client_id: fake.appKey,
        client_secret: fake.appSecret,
        refresh_token: fake.currentRefreshToken,
      },
      server: fake.server,
      contentRoutes: BlackboardFake.CONTENT_ROUTES,
      tokenRoutes: ['token'],
      remote: (id) => {
        const c = fake.byExternalId(id)[0];
        return c && { title: c.name, live: true };
      },
      copies: (id) => fake.byExternalId(id).length,
      expireTokens: () => fake.tokens.expireAll(),
      authFault: { status: 401, json: { status: 401, message: 'Bearer token is invalid' } },
      permanentFault: { status: 400, json: { status: 400, message: 'Bad Request' } },
      perItem: true,
      secrets: () => [fake.appSecret, ...fake.refreshTokens, ...fake.tokens.issued],
      close: () => fake.close(),
    };
  },
};

const moodle: ConformanceCase = {
  code: 'MOODLE',
  async start() {
    const fake = new MoodleFake();
    await fake.start();
    return {
      adapter: createMoodleAdapter({ timeoutMs: SUITE_TIMEOUT_MS }),
      withTimeout: (timeoutMs) => createMoodleAdapter({ timeoutMs }),
      // Username and password (no static token), so an expired token can be replaced.
      settings: { moodle_base_url: fake.server.url, service_short_name: fake.serviceShortName, username: fake.username, password: fake.password },
      server: fake.server,
      contentRoutes: ['server'],
      tokenRoutes: ['token'],
      remote: (id) => {
        const c = fake.byIdnumber(id)[0];
        // The conformance items' fullname is "<title> - via edX.org (<orgs>)"; compare the title part.
        return c && { title: c.fullname.replace(/ - via edX\.org.*$/, ''), live: c.visible === 1 };
      },
      copies: (id) => fake.byIdnumber(id).length,
      expireTokens: () => fake.expireTokens(),
      authFault: { status: 200, json: { exception: 'moodle_exception', errorcode: 'invalidtoken', message: 'Invalid token - token not found' } },
      permanentFault: { status: 200, json: { exception: 'invalid_parameter_exception', errorcode: 'invalidparameter', message: 'Invalid parameter value detected' } },
      perItem: true,
      secrets: () => [fake.password, fake.username, ...fake.issued],
      close: () => fake.close(),
    };
  },
};

export const CONFORMANCE_CASES: readonly ConformanceCase[] = [generic, sap, degreed, canvas, blackboard, moodle];
