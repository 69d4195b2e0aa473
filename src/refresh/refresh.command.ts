/**
 * `ecat refresh --all | --catalog UUID [--wait]`: queue refreshes (one per distinct query, each with a task
 * record) and, with `--wait`, follow them to the end with a progress bar on a TTY and a summary table.
 *
 * Embedded mode (PGlite) holds an exclusive lock on the data directory, so no other process can run the jobs:
 * the command runs them itself and always waits. In distributed mode the workers run them; without `--wait` the
 * command prints the task ids and returns.
 */
import type { Config } from '../config/config.schema.js';
import { openCommandApp } from '../command-app.js';
import { parseUuid } from '../catalog/membership-index.js';
import { refreshModule } from './refresh.module.js';
import { catalogTitlesByQuery, findCatalog, queriesInUse, runsByIds, taskProgress, tasksByIds, type TaskRow } from './refresh.repository.js';
import { requestQueryRefreshes } from './refresh.service.js';
import { defaultIo, progressBar, table, type CommandIo } from '../shared/terminal.js';

export { table, type CommandIo } from '../shared/terminal.js';

export interface RefreshCommandOptions {
  /** The catalog whose query to refresh; null for every query in use (`--all`). */
  catalog: string | null;
  wait: boolean;
}

const POLL_MS = 300;

export async function runRefreshCommand(config: Config, opts: RefreshCommandOptions, io: CommandIo = defaultIo): Promise<number> {
  // Job logs would interleave with the progress bar; refusals and failures are in the summary table.
  const command = await openCommandApp(config, refreshModule);
  const { app, embedded } = command;
  const { db, jobs } = app.ctx;
  try {
    let queryIds: number[];
    if (opts.catalog !== null) {
      const uuid = parseUuid(opts.catalog);
      const catalog = uuid === null ? undefined : await findCatalog(db.kysely, uuid);
      if (!catalog) {
        io.err(`ecat refresh: no catalog ${opts.catalog}`);
        return 1;
      }
      if (catalog.catalog_query_id === null) {
        io.err(`ecat refresh: catalog ${catalog.uuid} has no content filter to refresh`);
        return 1;
      }
      queryIds = [catalog.catalog_query_id];
    } else {
      queryIds = (await queriesInUse(db.kysely)).map((q) => q.id);
    }
    if (queryIds.length === 0) {
      io.out('no catalog queries to refresh');
      return 0;
    }
    const requested = await requestQueryRefreshes(db, jobs, queryIds);
    const titles = await catalogTitlesByQuery(db.kysely, queryIds);
    if (!embedded && !opts.wait) {
      io.out(`queued ${requested.length} refresh${requested.length === 1 ? '' : 'es'} (follow them with GET /api/v1/tasks/{id}/ or --wait):`);
      io.out(table(['query', 'catalogs', 'task'], requested.map((r) => [String(r.queryId), catalogsLabel(titles.get(r.queryId)), r.taskId])));
      return 0;
    }
    if (embedded) await app.start();

    const ids = requested.map((r) => r.taskId);
    const bar = opts.wait || embedded ? progressBar(io.progress, ids.length) : null;
    // Polled as counts: in embedded mode the poll shares the one database session with the refreshes it waits for.
    while (!command.interrupted()) {
      const { done, running } = await taskProgress(db.kysely, ids);
      bar?.update(done, `refreshed${running > 0 ? `, ${running} running` : ''}`);
      if (done === ids.length) break;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    bar?.end();
    const tasks: TaskRow[] = await tasksByIds(db.kysely, ids);

    const byQuery = new Map(requested.map((r) => [r.taskId, r.queryId]));
    const runIds = tasks.flatMap((t) => {
      const id = (t.result as { refresh_run_id?: unknown } | null)?.refresh_run_id;
      return typeof id === 'number' ? [id] : [];
    });
    const runs = new Map((await runsByIds(db.kysely, runIds)).map((r) => [r.id, r]));
    const rows = tasks
      .map((t) => ({ t, queryId: byQuery.get(t.id) ?? 0 }))
      .sort((a, b) => a.queryId - b.queryId)
      .map(({ t, queryId }) => {
        const result = t.result as { refresh_run_id?: number; status?: string; detail?: string | null } | null;
        const run = result?.refresh_run_id !== undefined ? runs.get(result.refresh_run_id) : undefined;
        const seconds = run?.finished_at ? ((run.finished_at.getTime() - run.started_at.getTime()) / 1000).toFixed(1) : '';
        const status = t.state === 'SUCCESS' || t.state === 'FAILURE' ? (result?.status ?? t.state.toLowerCase()) : t.state.toLowerCase();
        const note = run?.refusal_reason ? `${run.refusal_reason}: ${run.detail ?? ''}` : (result?.detail ?? '');
        const n = (v: number | undefined) => (run && v !== undefined ? String(v) : '');
        return [
          String(queryId),
          catalogsLabel(titles.get(queryId)),
          status,
          n(run?.items_fetched),
          n(run?.items_created),
          n(run?.items_updated),
          n(run?.items_unchanged),
          n(run?.members_added),
          n(run?.members_removed),
          n(run?.upstream_requests),
          seconds,
          note.length > 80 ? `${note.slice(0, 77)}…` : note,
        ];
      });
    io.out(table(['query', 'catalogs', 'status', 'fetched', 'created', 'updated', 'unchanged', '+members', '-members', 'requests', 'seconds', 'note'], rows));
    if (command.interrupted()) {
      io.err('interrupted: unfinished refreshes stay queued');
      return 130;
    }
    return tasks.some((t) => t.state === 'FAILURE') ? 1 : 0;
  } finally {
    await command.close();
  }
}

function catalogsLabel(titles: readonly string[] | undefined): string {
  if (!titles || titles.length === 0) return '';
  const first = titles[0] ?? '';
  const label = titles.length === 1 ? first : `${first} (+${titles.length - 1})`;
  return label.length > 40 ? `${label.slice(0, 39)}…` : label;
}
