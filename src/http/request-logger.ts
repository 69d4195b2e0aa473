/**
 * The per-request logger (`req.log`), built only when a request logs something. Fastify makes a child of the
 * service logger for every request (its bindings carry the request id); building a pino child costs its bindings'
 * serialisation and redaction setup, and almost no request logs through it (the access line has its own logger).
 * This stands in for that child and creates it, with the same bindings and options, on first use.
 */
import type { FastifyBaseLogger } from 'fastify';

type Bindings = Parameters<FastifyBaseLogger['child']>[0];
type ChildOptions = NonNullable<Parameters<FastifyBaseLogger['child']>[1]>;

export class LazyRequestLogger implements FastifyBaseLogger {
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Bindings;
  readonly #options: ChildOptions;
  #logger: FastifyBaseLogger | undefined;

  constructor(parent: FastifyBaseLogger, bindings: Bindings, options: ChildOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  /** The real child logger, made on first use. */
  #real(): FastifyBaseLogger {
    this.#logger ??= this.#parent.child(this.#bindings, this.#options);
    return this.#logger;
  }

  get level(): string {
    return this.#logger?.level ?? this.#options.level ?? this.#parent.level;
  }

  set level(level: string) {
    this.#real().level = level;
  }

  fatal(...args: unknown[]): void {
    const l = this.#real();
    Reflect.apply(l.fatal, l, args);
  }

  error(...args: unknown[]): void {
    const l = this.#real();
    Reflect.apply(l.error, l, args);
  }

  warn(...args: unknown[]): void {
    const l = this.#real();
    Reflect.apply(l.warn, l, args);
  }

  info(...args: unknown[]): void {
    const l = this.#real();
    Reflect.apply(l.info, l, args);
  }

  debug(...args: unknown[]): void {
    const l = this.#real();
    Reflect.apply(l.debug, l, args);
  }

  trace(...args: unknown[]): void {
    const l = this.#real();
    Reflect.apply(l.trace, l, args);
  }

  silent(...args: unknown[]): void {
    const l = this.#real();
    Reflect.apply(l.silent, l, args);
  }

  child(bindings: Bindings, options?: ChildOptions): FastifyBaseLogger {
    return this.#real().child(bindings, options);
  }
}

/** Fastify `childLoggerFactory`: `req.log` is a {@link LazyRequestLogger}. */
export function lazyChildLoggerFactory(logger: FastifyBaseLogger, bindings: Bindings, options: ChildOptions): FastifyBaseLogger {
  return new LazyRequestLogger(logger, bindings, options);
}
