/**
 * The HTTP thread's side of the `generate_diff` thread (`diff-thread.ts`, protocol in `diff-thread.protocol.ts`).
 * It sends the caller's keys, and the query's members when the thread lacks them, and waits for the answer in the
 * request's shared output slot.
 *
 * Why a thread: a 5,000-key diff is about half of the HTTP thread's work per request (B4 profile, 23-11), and the
 * second core is otherwise mostly idle then. Whenever the thread cannot answer (a key holds a newline, the members
 * changed meanwhile, the thread failed or exited) the caller's in-process path answers instead, with the same bytes,
 * so a diff never fails because of the thread.
 *
 * What a waiting request keeps matters: the keys are held as one joined string, not as thousands of strings, which
 * every young collection would copy while the answer is computed.
 */
import { Worker } from 'node:worker_threads';
import {
  ANSWERED,
  INLINE,
  NEEDS_MEMBERS,
  PENDING,
  SLOT_HEADER_BYTES,
  SLOT_LENGTH,
  SLOT_STATE,
  TOO_SMALL,
  type DiffThreadMembers,
  type DiffThreadRequest,
  type DiffThreadSlotMessage,
} from './diff-thread.protocol.js';

export interface DiffMembersSource {
  /** Member content ids, ascending. */
  ids: Int32Array;
  keyOf(id: number): string;
  modifiedUsOf(id: number): number | undefined;
}

export interface DiffJob {
  queryId: number;
  /** Index version the members are valid for. */
  version: number;
  /** The query's members at `version`, asked only when the thread lacks them; null when they changed since. */
  members: () => DiffMembersSource | null;
  /** The caller's keys, in request order. */
  requested: readonly string[];
  floorUs: number;
}

/** Answers a diff in-process, from the caller's keys. */
export type InProcessDiff = (requested: readonly string[]) => Buffer;

/** A slot's first size; it doubles until an answer fits. A 5,000-key answer over 5,300 members is about 380 KiB. */
const FIRST_SLOT_BYTES = 512 * 1024;

/** A thread that keeps failing (cannot start, crashes) is not started again after this many in a row. */
const MAX_FAILURES = 3;

interface Slot {
  buffer: SharedArrayBuffer;
  header: Int32Array;
}

const newSlot = (bytes: number): Slot => {
  const buffer = new SharedArrayBuffer(bytes);
  return { buffer, header: new Int32Array(buffer, 0, 2) };
};

export class DiffThreadClient {
  readonly #maxBytes: number;
  #worker: Worker | null = null;
  /** The current thread's slots, the free ones, and those a request waits on. */
  #slots: Slot[] = [];
  #free: number[] = [];
  readonly #waiting = new Set<Slot>();
  /** Requests waiting on the current thread. */
  #inFlight = 0;
  #closed = false;
  /** Threads lost in a row without an answer; after {@link MAX_FAILURES} the diffs stay in-process. */
  #failures = 0;
  readonly #stats = { thread: 0, inProcess: 0 };

  /** `maxBytes`: the thread's budget for encoded members (as `MemberEntriesCache`). */
  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Answers given by the thread and by the in-process path, since the client was made. */
  get stats(): { readonly thread: number; readonly inProcess: number } {
    return { ...this.#stats };
  }

  /** Whether diffs still go to the thread (false once closed, or after it failed too often). */
  get active(): boolean {
    return !this.#closed;
  }

  /** The answer's bytes, from the thread or else from `inProcess`. */
  answer(job: DiffJob, inProcess: InProcessDiff): Promise<Buffer> {
    const { requested } = job;
    let plain = requested.length > 0 && !this.#closed;
    for (let i = 0; plain && i < requested.length; i++) if ((requested[i] as string).includes('\n')) plain = false;
    if (!plain) return Promise.resolve().then(() => this.#inProcess(inProcess, requested));
    // From here on only the joined string is kept (see the module comment).
    return this.#run(job.queryId, job.version, job.members, requested.join('\n'), requested.length, job.floorUs, inProcess);
  }

  /** Stops the thread; waiting requests, and later ones, answer in-process. */
  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    if (worker === null) return;
    this.#gone(worker);
    await worker.terminate();
  }

  async #run(
    queryId: number,
    version: number,
    members: DiffJob['members'],
    joined: string,
    count: number,
    floorUs: number,
    inProcess: InProcessDiff,
  ): Promise<Buffer> {
    const worker = this.#ensureWorker();
    const index = this.#takeSlot(worker);
    const slot = this.#slots[index] as Slot;
    // A pending `Atomics.waitAsync` does not keep the event loop alive; the thread does while a request waits.
    if (this.#inFlight++ === 0) worker.ref();
    this.#waiting.add(slot);
    try {
      const request: DiffThreadRequest = { kind: 'diff', queryId, version, requested: joined, count, floorUs, slot: index };
      for (let attempt = 0; attempt < 4; attempt++) {
        const state = await this.#ask(worker, slot, request);
        if (state === ANSWERED) {
          this.#failures = 0;
          this.#stats.thread++;
          // A copy this thread owns: the slot serves the next request while the socket may still hold this answer.
          return Buffer.from(Buffer.from(slot.buffer, SLOT_HEADER_BYTES, slot.header[SLOT_LENGTH] as number));
        }
        if (state === TOO_SMALL) {
          this.#grow(worker, slot, index, slot.header[SLOT_LENGTH] as number);
        } else if (state === NEEDS_MEMBERS && request.members === undefined) {
          const source = members();
          if (source === null) break;
          request.members = membersMessage(source);
        } else {
          break;
        }
      }
    } finally {
      this.#waiting.delete(slot);
      if (this.#worker === worker) {
        this.#free.push(index);
        if (--this.#inFlight === 0) worker.unref();
      }
    }
    return this.#inProcess(inProcess, joined.split('\n'));
  }

  #inProcess(inProcess: InProcessDiff, requested: readonly string[]): Buffer {
    this.#stats.inProcess++;
    return inProcess(requested);
  }

  async #ask(worker: Worker, slot: Slot, request: DiffThreadRequest): Promise<number> {
    if (this.#worker !== worker) return INLINE;
    Atomics.store(slot.header, SLOT_STATE, PENDING);
    worker.postMessage(request);
    // Not a reply message: see `diff-thread.protocol.ts` for why the answer is awaited this way.
    const wait = Atomics.waitAsync(slot.header, SLOT_STATE, PENDING);
    if (wait.async) await wait.value;
    return Atomics.load(slot.header, SLOT_STATE);
  }

  #takeSlot(worker: Worker): number {
    const free = this.#free.pop();
    if (free !== undefined) return free;
    const index = this.#slots.length;
    const slot = newSlot(FIRST_SLOT_BYTES);
    this.#slots.push(slot);
    worker.postMessage({ kind: 'slot', slot: index, buffer: slot.buffer } satisfies DiffThreadSlotMessage);
    return index;
  }

  #grow(worker: Worker, slot: Slot, index: number, length: number): void {
    let size = slot.buffer.byteLength;
    while (size - SLOT_HEADER_BYTES < length) size *= 2;
    const grown = newSlot(size);
    slot.buffer = grown.buffer;
    slot.header = grown.header;
    worker.postMessage({ kind: 'slot', slot: index, buffer: slot.buffer } satisfies DiffThreadSlotMessage);
  }

  #ensureWorker(): Worker {
    if (this.#worker !== null) return this.#worker;
    const worker = new Worker(new URL('./diff-thread.host.mjs', import.meta.url), {
      workerData: { maxBytes: this.#maxBytes },
      // The host registers tsx itself; the main thread's options (a profiler, tsx's --import) are not for it.
      execArgv: [],
    });
    // An idle diff thread must not keep the process (or a test's event loop) alive; see #run.
    worker.unref();
    const lost = () => {
      if (this.#worker !== worker) return;
      if (++this.#failures >= MAX_FAILURES) this.#closed = true;
      this.#gone(worker);
    };
    worker.on('error', lost);
    worker.on('exit', lost);
    this.#worker = worker;
    return worker;
  }

  /** Forgets `worker` and wakes every request waiting on it: they answer in-process. */
  #gone(worker: Worker): void {
    if (this.#worker !== worker) return;
    this.#worker = null;
    for (const slot of this.#waiting) {
      Atomics.store(slot.header, SLOT_STATE, INLINE);
      Atomics.notify(slot.header, SLOT_STATE);
    }
    this.#slots = [];
    this.#free = [];
    this.#inFlight = 0;
  }
}

function membersMessage(src: DiffMembersSource): DiffThreadMembers {
  const n = src.ids.length;
  const keys = new Array<string>(n);
  const modifiedUs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const id = src.ids[i] as number;
    keys[i] = src.keyOf(id);
    modifiedUs[i] = src.modifiedUsOf(id) ?? Number.NaN;
  }
  return { ids: src.ids, keys, modifiedUs };
}
