/**
 * `npm start` on a fresh data directory: the real `ecat serve --demo` process seeds the demo catalogs, refreshes
 * them from the built-in sample, and the curl examples it prints return real content.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEcat } from '../../test/helpers/process.js';

const dir = mkdtempSync(join(tmpdir(), 'ecat-demo-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The URL and auth header of a printed `curl -s -H "Authorization: JWT $TOKEN" "<url>"` line matching `path`. */
function curlUrl(banner: string, path: RegExp): string {
  const line = banner.split('\n').find((l) => l.trim().startsWith('curl') && path.test(l));
  assert.ok(line, `the banner prints a curl example for ${path.source}`);
  const url = /"(http:\/\/[^"]+)"\s*$/.exec(line)?.[1];
  assert.ok(url, line);
  return url;
}

describe('npm start (ecat serve --demo) on a fresh data directory', () => {
  test('prints a token and curl examples that return the demo catalogs’ content; a restart keeps the data', async () => {
    // No secrets in the environment: demo mode creates them next to the data directory.
    const env = { DATABASE_URL: `pglite://${join(dir, 'db')}`, PORT: '0', LOG_LEVEL: 'warn', ECAT_JWT_SECRET: '', ECAT_DISCOVERY_URL: '', ECAT_DISCOVERY_SOURCE: '' };
    const p = startEcat(['serve', '--demo'], env);
    try {
      await p.waitFor(/curl -s -H "Authorization: JWT \$TOKEN" "[^"]+\/api\/v1\/tasks\//, 90_000);
      const banner = p.stdout();
      const token = /export TOKEN=(\S+)/.exec(banner)?.[1];
      assert.ok(token, 'the banner prints a token');
      const headers = { authorization: `JWT ${token}` };

      const metadata = await fetch(curlUrl(banner, /get_content_metadata/), { headers });
      assert.equal(metadata.status, 200);
      const page = (await metadata.json()) as { count: number; results: { key?: string; content_type?: string }[] };
      assert.ok(page.count > 50, `the demo catalog has content (count ${page.count})`);
      assert.ok(page.results.length > 0 && page.results.every((r) => typeof r.key === 'string'));

      const contains = await fetch(curlUrl(banner, /contains_content_items/), { headers });
      assert.equal(contains.status, 200);
      assert.deepEqual(await contains.json(), { contains_content_items: true });

      const refresh = await fetch(curlUrl(banner, /refresh_metadata/), { method: 'POST', headers });
      assert.equal(refresh.status, 200);
      const { async_task_id: taskId } = (await refresh.json()) as { async_task_id: string };
      const taskUrl = curlUrl(banner, /tasks/).replace('<async_task_id>', taskId);
      const deadline = Date.now() + 30_000;
      let state = '';
      while (Date.now() < deadline) {
        state = ((await (await fetch(taskUrl, { headers })).json()) as { state: string }).state;
        if (state === 'SUCCESS' || state === 'FAILURE') break;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(state, 'SUCCESS');
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
    }

    // Second start: nothing to seed or refresh again; the same catalogs answer at once.
    const again = startEcat(['serve', '--demo'], env);
    try {
      await again.waitFor(/\/api\/v1\/tasks\//, 60_000);
      const banner = again.stdout();
      const token = /export TOKEN=(\S+)/.exec(banner)?.[1] ?? '';
      const metadata = await fetch(curlUrl(banner, /get_content_metadata/), { headers: { authorization: `JWT ${token}` } });
      assert.equal(metadata.status, 200);
      assert.ok(((await metadata.json()) as { count: number }).count > 50);
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
  });
});
