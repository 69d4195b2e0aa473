/**
 * The latency floor of "a server that does W µs of work per request" on this machine, at B1's load (64
 * connections): the bare baseline server with a busy loop of W µs per request, loaded by the same autocannon runner
 * as the scenarios. Prints answers/s, p50, p99 and the server's CPU per request for each W.
 *
 *   node --import tsx bench/work-floor.ts [--work 0,10,20,30,40] [--connections 64] [--seconds 5] [--reps 3]
 */
import { parseArgs } from 'node:util';
import { runLoad } from './load.js';
import { BASELINE_SERVER, cpuMsOf, freePort, startChild, waitFor200 } from './processes.js';

const { values } = parseArgs({
  options: {
    work: { type: 'string', default: '0,10,20,30,40' },
    connections: { type: 'string', default: '64' },
    seconds: { type: 'string', default: '5' },
    reps: { type: 'string', default: '3' },
  },
});
const settings = { connections: Number(values.connections), durationS: Number(values.seconds), maxRequests: 2_000_000 };

for (const work of values.work.split(',').map(Number)) {
  const port = await freePort();
  const child = startChild(process.execPath, [BASELINE_SERVER, String(port), String(work)], process.env, '/dev/null');
  const target = { origin: `http://127.0.0.1:${port}`, method: 'GET' as const, paths: ['/'] };
  await waitFor200(`${target.origin}/`, { timeoutMs: 10_000, child });
  await runLoad(target, { ...settings, durationS: 2 });
  const cells: string[] = [];
  for (let i = 0; i < Number(values.reps); i++) {
    const before = cpuMsOf(child.pid) ?? Number.NaN;
    const run = await runLoad(target, settings);
    const after = cpuMsOf(child.pid) ?? Number.NaN;
    const cpuUs = ((after - before) * 1000) / run.requests;
    cells.push(`${Math.round(run.rps)}/s p50 ${run.p50Ms.toFixed(2)} p99 ${run.p99Ms.toFixed(2)} ms, ${cpuUs.toFixed(1)} µs CPU`);
  }
  process.stdout.write(`work ${work} µs: ${cells.join(' | ')}\n`);
  await child.stop();
}
