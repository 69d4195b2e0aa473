import { sql, type Kysely } from 'kysely';

/**
 * A refresh finds the open tasks of its query (`args->>'queryId'`), and a transmission those of its configuration
 * (`args->>'configurationId'`), when it starts and when it ends. `task_kind_state_idx` narrowed that to every open
 * task of the kind, whose args were then read one by one: `ecat refresh --all` opens a task per query, so each of
 * its runs read them all (on dataset L, 700 queries: about 1.4 ms of the embedded database's time per run). These
 * indexes find a subject's tasks directly, with the state as the second column; they hold no predicate, so a
 * prepared statement's generic plan can use them too.
 *
 * Every statement that read `task_kind_state_idx` names a subject, so it goes: it would only be kept up to date on
 * every task written.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create index task_query_state_idx on task ((args->>'queryId'), state);
    create index task_configuration_state_idx on task ((args->>'configurationId'), state);
    drop index task_kind_state_idx;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    create index task_kind_state_idx on task (kind, state) where state in ('PENDING', 'STARTED');
    drop index task_configuration_state_idx;
    drop index task_query_state_idx;
  `.execute(db);
}
