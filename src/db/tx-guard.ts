/**
 * Guards against the "outer handle inside a transaction" mistake. On PGlite (one session) such a query would wait
 * for the transaction that waits for it: a silent hang. On PostgreSQL it silently runs outside the transaction.
 * Both are bugs, so on both backends a query issued through the outer handle while the same async context holds
 * an open transaction throws at once.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DatabaseConnection, Dialect, Driver, TransactionSettings } from 'kysely';

const txContext = new AsyncLocalStorage<{ label: string }>();

export class OuterHandleInTransactionError extends Error {
  override readonly name = 'OuterHandleInTransactionError';
  constructor(label: string) {
    super(`a query used the outer database handle inside the open transaction "${label}"; pass the transaction (trx) instead`);
  }
}

/** Run `fn` marked as inside a transaction. */
export function runInTransactionContext<T>(label: string, fn: () => Promise<T>): Promise<T> {
  return txContext.run({ label }, fn);
}

/** Run `fn` outside any transaction context (for work that deliberately detaches, e.g. enqueue after commit). */
export function runOutsideTransactionContext<T>(fn: () => T): T {
  return txContext.exit(fn);
}

export function assertNotInTransaction(): void {
  const ctx = txContext.getStore();
  if (ctx) throw new OuterHandleInTransactionError(ctx.label);
}

class GuardedDriver implements Driver {
  constructor(private readonly inner: Driver) {}
  init(): Promise<void> {
    return this.inner.init();
  }
  acquireConnection(): Promise<DatabaseConnection> {
    // Kysely acquires a connection for every query on the outer handle, and once per transaction; queries through
    // `trx` reuse the transaction's connection and never come here.
    try {
      assertNotInTransaction();
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return this.inner.acquireConnection();
  }
  beginTransaction(c: DatabaseConnection, s: TransactionSettings): Promise<void> {
    return this.inner.beginTransaction(c, s);
  }
  commitTransaction(c: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(c);
  }
  rollbackTransaction(c: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(c);
  }
  releaseConnection(c: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(c);
  }
  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

/** Wrap a dialect so that its driver enforces the guard. */
export function guardDialect(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => new GuardedDriver(dialect.createDriver()),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
  };
}
