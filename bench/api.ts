/** A small JSON client for the server under test (world building and scenario set-up, not load). */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly body: string,
  ) {
    super(`${method} ${path} → ${status}: ${body.slice(0, 300)}`);
  }
}

export class Api {
  constructor(
    readonly origin: string,
    readonly token: string,
  ) {}

  get authHeader(): Record<string, string> {
    return { authorization: `JWT ${this.token}` };
  }

  async request<T = unknown>(method: string, path: string, body?: unknown, timeoutMs = 120_000): Promise<T> {
    const res = await fetch(`${this.origin}${path}`, {
      method,
      headers: { ...this.authHeader, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    if (res.status < 200 || res.status >= 300) throw new ApiError(res.status, method, path, text);
    return (text === '' ? null : JSON.parse(text)) as T;
  }

  get<T = unknown>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T = unknown>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body ?? {});
  }
}

/** Run `fn` over `items` with at most `concurrency` in flight; rejects with the first failure. */
export async function mapPool<T, R>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}
