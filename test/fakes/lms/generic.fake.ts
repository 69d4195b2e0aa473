/**
 * Fake receiver of the GENERIC signed webhook. It verifies the HMAC signature and the timestamp's freshness, keeps
 * items by `content_id`, and honours `Idempotency-Key`: a replayed key gets the first answer again without being
 * applied twice.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { FakeLmsServer, type FakeReply, type FakeRequest, asObject } from './fake-lms-server.js';

export interface GenericFakeItem {
  item: Record<string, unknown>;
  deleted: boolean;
  /** How many deliveries touched it. */
  writes: number;
}

export class GenericFake {
  readonly server = new FakeLmsServer();
  readonly items = new Map<string, GenericFakeItem>();
  /** Deliveries answered from the idempotency store instead of being applied. */
  replays = 0;
  private readonly answered = new Map<string, FakeReply>();

  constructor(
    readonly signingSecret = 'whsec-0123456789abcdef0123456789',
    /** Largest accepted clock difference, seconds. */
    private readonly toleranceSec = 300,
  ) {
    this.server.route('hook', 'POST', /^\/hooks\/catalog$/, (req) => this.receive(req));
  }

  get hookUrl(): string {
    return `${this.server.url}/hooks/catalog`;
  }

  async start(): Promise<void> {
    await this.server.start();
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private receive(req: FakeRequest): FakeReply {
    const ts = String(req.headers['x-ecat-timestamp'] ?? '');
    const sig = String(req.headers['x-ecat-signature'] ?? '');
    const expected = `sha256=${createHmac('sha256', this.signingSecret).update(`${ts}.${req.rawBody}`).digest('hex')}`;
    const sigOk = sig.length === expected.length && timingSafeEqual(Buffer.from(sig), Buffer.from(expected));
    if (!sigOk) return { status: 401, json: { error: 'bad signature' } };
    if (!/^\d+$/.test(ts) || Math.abs(Date.now() / 1000 - Number(ts)) > this.toleranceSec) {
      return { status: 401, json: { error: 'stale timestamp' } };
    }
    const key = String(req.headers['idempotency-key'] ?? '');
    if (key === '') return { status: 400, json: { error: 'Idempotency-Key required' } };
    const previous = this.answered.get(key);
    if (previous) {
      this.replays += 1;
      return previous;
    }
    const body = asObject(req.json);
    const action = body['action'];
    const items = body['items'];
    if ((action !== 'create' && action !== 'update' && action !== 'delete') || !Array.isArray(items)) {
      return { status: 422, json: { error: 'action and items required' } };
    }
    for (const raw of items) {
      const item = asObject(raw);
      const id = item['content_id'];
      if (typeof id !== 'string') return { status: 422, json: { error: 'content_id required' } };
      const existing = this.items.get(id);
      this.items.set(id, { item, deleted: action === 'delete', writes: (existing?.writes ?? 0) + 1 });
    }
    const reply: FakeReply = { status: 200, json: { accepted: items.length, action } };
    this.answered.set(key, reply);
    return reply;
  }
}
