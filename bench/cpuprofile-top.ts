/**
 * Summarise a V8 `.cpuprofile` (from `npm run bench -- --profile DIR`): self time by function and by package or
 * source file, and total (inclusive) time of the functions whose name matches a filter.
 *
 *   node --import tsx bench/cpuprofile-top.ts FILE.cpuprofile [--top 25] [--match REGEX]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** `node_modules/<pkg>` or the project path of a frame's file; V8 internals as "(program)" etc. */
export function areaOf(url: string, name: string): string {
  if (url === '') return name.startsWith('(') ? name : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1] ?? url;
  if (url.startsWith('node:')) return url;
  const src = /\/(src|bench|test)\/(.*)$/.exec(url);
  return src ? `${src[1]}/${src[2]}` : url;
}

export function summarise(profile: Profile): {
  totalMs: number;
  byFunction: Map<string, number>;
  byArea: Map<string, number>;
  inclusive: (pattern: RegExp) => number;
} {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  let totalMs = 0;
  for (const [id, ms] of self) {
    const n = byId.get(id);
    if (!n) continue;
    totalMs += ms;
    const { functionName, url, lineNumber } = n.callFrame;
    const area = areaOf(url, functionName);
    const key = `${functionName || '(anonymous)'} ${area}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
    byArea.set(area, (byArea.get(area) ?? 0) + ms);
  }
  const inclusive = (pattern: RegExp): number => {
    let ms = 0;
    for (const [id, t] of self) {
      // Count a sample once if any frame on its stack matches.
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const f = byId.get(cur)?.callFrame;
        if (f && pattern.test(`${f.functionName} ${f.url}`)) {
          ms += t;
          break;
        }
      }
    }
    return ms;
  };
  return { totalMs, byFunction, byArea, inclusive };
}

function main(argv: string[]): void {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { top: { type: 'string' }, match: { type: 'string', multiple: true } } });
  const top = Number(values.top ?? 25);
  for (const file of positionals) {
    const s = summarise(JSON.parse(readFileSync(file, 'utf8')) as Profile);
    const pct = (ms: number) => `${((ms / s.totalMs) * 100).toFixed(1).padStart(5)} %`;
    const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
    process.stdout.write(`\n${file}: ${(s.totalMs / 1000).toFixed(1)} s sampled\n\nself time by package / file:\n`);
    for (const [k, ms] of sorted(s.byArea)) process.stdout.write(`  ${pct(ms)}  ${(ms / 1000).toFixed(2).padStart(7)} s  ${k}\n`);
    process.stdout.write('\nself time by function:\n');
    for (const [k, ms] of sorted(s.byFunction)) process.stdout.write(`  ${pct(ms)}  ${(ms / 1000).toFixed(2).padStart(7)} s  ${k}\n`);
    for (const m of values.match ?? []) process.stdout.write(`\ninclusive /${m}/: ${pct(s.inclusive(new RegExp(m)))}\n`);
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) main(process.argv.slice(2));
