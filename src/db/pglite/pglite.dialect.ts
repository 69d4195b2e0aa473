/**
 * Kysely dialect for one PGlite database living in a worker thread. Kysely 0.28 has no PGlite dialect that
 * accepts pglite 0.5 on Node 20, so we own this small one.
 */
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
} from 'kysely';
import type { PgliteClient, PgliteSession } from './pglite.client.js';

class PgliteConnection implements DatabaseConnection {
  constructor(readonly session: PgliteSession) {}

  async executeQuery<R>(cq: CompiledQuery): Promise<QueryResult<R>> {
    // Without parameters we use the simple protocol, which accepts several statements (migration scripts).
    const r =
      cq.parameters.length === 0 ? await this.session.exec(cq.sql) : await this.session.query(cq.sql, cq.parameters);
    return { rows: r.rows as R[], numAffectedRows: BigInt(r.affectedRows) };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported on PGlite');
  }
}

class PgliteDriver implements Driver {
  constructor(private readonly client: PgliteClient) {}
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return new PgliteConnection(await this.client.acquire());
  }
  async beginTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('begin'));
  }
  async commitTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('commit'));
  }
  async rollbackTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('rollback'));
  }
  async releaseConnection(c: DatabaseConnection): Promise<void> {
    (c as PgliteConnection).session.release();
  }
  async destroy(): Promise<void> {
    await this.client.close();
  }
}

export class PgliteDialect implements Dialect {
  constructor(private readonly client: PgliteClient) {}
  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PgliteDriver(this.client);
  }
  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}
