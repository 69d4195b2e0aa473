/**
 * `ecat transmit [--customer UUID] [--channel CODE] [--wait]`: queue a transmission of every active configuration
 * (of active customers), optionally of one customer or channel, each with a task record; with `--wait`, follow them
 * with a progress bar on a TTY and print a summary table.
 *
 * Embedded mode (PGlite) holds an exclusive lock on the data directory, so no other process can run the jobs: the
 * command runs them itself and always waits. In distributed mode the workers run them; without `--wait` the command
 * prints the task ids and returns.
 */
import { randomUUID } from 'node:crypto';
import { openCommandApp } from '../command-app.js';
import type { Config } from '../config/config.schema.js';
import { isChannelCode } from './channel-definitions.js';
import { channelsModule, transmittableConfigurations } from './channels.module.js';
import { insertTransmitTask, taskStates } from './run.repository.js';
import type { RunSummary } from './transmission.service.js';
import { defaultIo, progressBar, table, type CommandIo } from '../shared/terminal.js';

export interface TransmitCommandOptions {
  customer: string | null;
  channel: string | null;
  wait: boolean;
}

const POLL_MS = 300;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type { CommandIo } from '../shared/terminal.js';

export async function runTransmitCommand(config: Config, opts: TransmitCommandOptions, io: CommandIo = defaultIo): Promise<number> {
  if (opts.customer !== null && !UUID.test(opts.customer)) {
    io.err(`ecat transmit: --customer must be a UUID, got "${opts.customer}"`);
    return 2;
  }
  const channel = opts.channel?.toUpperCase() ?? null;
  if (channel !== null && !isChannelCode(channel)) {
    io.err(`ecat transmit: --channel must be one of GENERIC, CSOD, SAP, DEGREED2, CANVAS, BLACKBOARD, MOODLE, got "${opts.channel}"`);
    return 2;
  }
  // Job logs would interleave with the progress bar; failures are in the summary table.
  const command = await openCommandApp(config, channelsModule);
  const { app, embedded } = command;
  const { db, jobs } = app.ctx;
  try {
    const configs = await transmittableConfigurations(app.ctx, {
      ...(opts.customer ? { customer: opts.customer.toLowerCase() } : {}),
      ...(channel ? { channelCode: channel } : {}),
    });
    const requested: Array<{ id: number; customer: string; channel: string; name: string; taskId: string }> = [];
    for (const c of configs) {
      const taskId = randomUUID();
      await db.transaction(async (trx) => {
        await insertTransmitTask(trx, { id: taskId, configurationId: c.id, requestedBy: null, enterpriseUuid: c.enterpriseCustomerUuid });
        await jobs.enqueue('transmit_content_metadata', { configurationId: c.id, reason: 'on_demand', taskId }, { dedupKey: String(c.id), executor: trx });
      }, 'channels.transmit.cli');
      requested.push({ id: c.id, customer: c.enterpriseCustomerUuid, channel: c.channelCode, name: c.displayName, taskId });
    }
    if (requested.length === 0) {
      io.out('no active channel configurations to transmit');
      return 0;
    }
    if (!embedded && !opts.wait) {
      io.out(`queued ${requested.length} transmission${requested.length === 1 ? '' : 's'} (follow them with GET /api/v1/tasks/{id}/ or --wait):`);
      io.out(table(['config', 'channel', 'customer', 'task'], requested.map((r) => [String(r.id), r.channel, r.customer, r.taskId])));
      return 0;
    }
    if (embedded) await app.start();

    const ids = requested.map((r) => r.taskId);
    let tasks: Array<{ id: string; state: string; result: unknown }> = [];
    const bar = progressBar(io.progress, ids.length);
    while (!command.interrupted()) {
      tasks = await taskStates(db.kysely, ids);
      const finished = tasks.filter((t) => t.state === 'SUCCESS' || t.state === 'FAILURE');
      const items = finished.reduce((n, t) => n + ((t.result as RunSummary | null)?.transmitted?.succeeded ?? 0), 0);
      const running = tasks.filter((t) => t.state === 'STARTED').length;
      bar.update(finished.length, `configurations, ${items} items sent${running > 0 ? `, ${running} running` : ''}`);
      if (finished.length === ids.length) break;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    bar.end();

    const byTask = new Map(tasks.map((t) => [t.id, t]));
    const rows = requested.map((r) => {
      const t = byTask.get(r.taskId);
      const s = (t?.result ?? null) as RunSummary | null;
      const by = s?.transmitted?.byAction;
      const n = (v: number | undefined) => (v === undefined ? '' : String(v));
      const done = t?.state === 'SUCCESS' || t?.state === 'FAILURE';
      const note = s?.detail ?? '';
      return [
        String(r.id),
        r.channel,
        r.customer.slice(0, 8),
        done ? (s?.status ?? (t?.state ?? '').toLowerCase()) : (t?.state ?? 'PENDING').toLowerCase(),
        n(by?.create.succeeded),
        n(by?.update.succeeded),
        n(by?.delete.succeeded),
        n(s?.transmitted?.failed),
        n(s?.transmitted?.deferred),
        s ? `${s.catalogs.skipped}/${s.catalogs.total}` : '',
        n(s?.catalogRequests.total),
        s ? (s.durationMs / 1000).toFixed(1) : '',
        note.length > 60 ? `${note.slice(0, 59)}…` : note,
      ];
    });
    io.out(table(['config', 'channel', 'customer', 'status', 'created', 'updated', 'deleted', 'failed', 'deferred', 'skipped', 'requests', 'seconds', 'note'], rows));
    if (command.interrupted()) {
      io.err('interrupted: unfinished transmissions stay queued');
      return 130;
    }
    return tasks.some((t) => t.state === 'FAILURE' || (t.result as RunSummary | null)?.status === 'failed') ? 1 : 0;
  } finally {
    await command.close();
  }
}
