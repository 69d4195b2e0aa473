import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DATASET_SIZES,
  DAY_MS,
  DiscoveryDataset,
  generateDataset,
  loadDataset,
  runAvailability,
  runDatasetCommand,
  writeDataset,
  type CourseEntity,
} from './dataset.js';
import { searchIndexOf } from './search-index.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function share<T>(items: readonly T[], predicate: (item: T) => boolean): number {
  return items.filter(predicate).length / items.length;
}

void describe('generation', () => {
  void test('is deterministic by seed', () => {
    const a = JSON.stringify(generateDataset({ size: 'S', seed: 11 }));
    const b = JSON.stringify(generateDataset({ size: 'S', seed: 11 }));
    const c = JSON.stringify(generateDataset({ size: 'S', seed: 12 }));
    assert.equal(a, b);
    assert.notEqual(a, c);
  });

  void test('S has the documented counts and well-formed keys', () => {
    const ds = generateDataset({ size: 'S', seed: 1 });
    const counts = ds.counts();
    assert.equal(counts.courses, DATASET_SIZES.S.courses);
    assert.equal(counts.programs, DATASET_SIZES.S.programs);
    assert.equal(counts.pathways, DATASET_SIZES.S.pathways);
    assert.ok(counts.runs >= 500 && counts.runs <= 760, `runs ${counts.runs}`);

    const courseKeys = new Set<string>();
    const runKeys = new Set<string>();
    const uuids = new Set<string>();
    for (const course of ds.courses) {
      assert.match(course.key, /^[A-Za-z0-9]+\+[A-Za-z0-9.]+$/);
      assert.equal(course.key, `${course.org}+${course.number}`);
      assert.match(course.uuid, UUID);
      assert.ok(!courseKeys.has(course.key), `duplicate course key ${course.key}`);
      courseKeys.add(course.key);
      uuids.add(course.uuid);
      assert.ok(course.runs.length >= 1);
      for (const run of course.runs) {
        assert.match(run.key, /^course-v1:[A-Za-z0-9]+\+[A-Za-z0-9.]+\+[1-4]T\d{4}[a-z]*$/);
        assert.ok(run.key.startsWith(`course-v1:${course.key}+`));
        assert.ok(!runKeys.has(run.key), `duplicate run key ${run.key}`);
        runKeys.add(run.key);
        uuids.add(run.uuid);
        if (run.end !== null) assert.ok(run.end > run.start);
      }
      for (let i = 1; i < course.runs.length; i++) {
        assert.ok((course.runs[i - 1]?.start ?? 0) <= (course.runs[i]?.start ?? 0), 'runs are kept in start order');
      }
    }
    for (const program of ds.programs) {
      assert.match(program.uuid, UUID);
      assert.ok(program.courseKeys.length >= 2 && program.courseKeys.length <= 10);
      for (const key of program.courseKeys) assert.ok(courseKeys.has(key), `program links unknown course ${key}`);
      uuids.add(program.uuid);
    }
    for (const pathway of ds.pathways) {
      assert.ok(pathway.steps.length >= 2 && pathway.steps.length <= 5);
      for (const step of pathway.steps) {
        assert.ok(step.courseKeys.length + step.programUuids.length >= 1);
        for (const key of step.courseKeys) assert.ok(courseKeys.has(key));
        for (const uuid of step.programUuids) assert.ok(ds.program(uuid));
      }
    }
    assert.equal(uuids.size, counts.courses + counts.runs + counts.programs, 'uuids are unique');
  });

  void test('L: 6,000 courses, ~18,000 runs, 500 programs, 20 pathways, realistic distributions, fast', (t) => {
    const started = performance.now();
    const ds = generateDataset({ size: 'L', seed: 1 });
    const ms = performance.now() - started;
    t.diagnostic(`generated L in ${Math.round(ms)} ms: ${JSON.stringify(ds.counts())}`);
    // Target is < 3 s; the bound leaves room for a loaded CI machine.
    assert.ok(ms < 6_000, `generation took ${Math.round(ms)} ms`);

    const counts = ds.counts();
    assert.equal(counts.courses, 6_000);
    assert.ok(counts.runs >= 17_000 && counts.runs <= 20_000, `runs ${counts.runs}`);
    assert.equal(counts.programs, 500);
    assert.equal(counts.pathways, 20);
    assert.equal(counts.organizations, 250);

    const now = ds.asOf;
    const runs = ds.courses.flatMap((c) => c.runs);
    const courses: readonly CourseEntity[] = ds.courses;
    const between = (value: number, lo: number, hi: number, what: string): void =>
      assert.ok(value >= lo && value <= hi, `${what}: ${value.toFixed(3)} not in [${lo}, ${hi}]`);
    between(share(runs, (r) => runAvailability(r, now) === 'Archived'), 0.55, 0.65, 'archived runs');
    between(share(runs, (r) => runAvailability(r, now) === 'Current'), 0.24, 0.32, 'current runs');
    between(share(runs, (r) => r.status === 'published'), 0.82, 0.88, 'published runs');
    between(share(runs, (r) => r.pacing === 'self_paced'), 0.6, 0.7, 'self-paced runs');
    between(share(runs, (r) => r.hidden), 0.01, 0.03, 'hidden runs');
    between(share(runs, (r) => r.restrictionType !== null), 0.002, 0.015, 'restricted runs');
    between(share(courses, (c) => c.courseType === 'verified-audit'), 0.76, 0.83, 'verified-audit courses');
    between(share(courses, (c) => c.courseType === 'executive-education-2u'), 0.04, 0.07, 'exec-ed courses');
    between(share(courses, (c) => c.levelType === 'Introductory'), 0.54, 0.62, 'introductory courses');
    between(share(courses, (c) => c.runs[0]?.language === 'en-us'), 0.77, 0.83, 'English courses');
    between(share(courses, (c) => c.skills.length === 0), 0.36, 0.44, 'courses without skills');
    const perOrg = new Map<string, number>();
    for (const c of courses) perOrg.set(c.org, (perOrg.get(c.org) ?? 0) + 1);
    const top10 = [...perOrg.values()].sort((a, b) => b - a).slice(0, 10).reduce((a, b) => a + b, 0);
    between(top10 / courses.length, 0.25, 0.45, 'top-10 organizations share');
    between(share(ds.programs, (p) => p.type === 'Professional Certificate'), 0.54, 0.66, 'professional certificates');
  });
});

void describe('advanceDay', () => {
  void test('changes about 1 % of items with real field changes, adds and retires a few, deterministically', () => {
    const ds = generateDataset({ size: 'M', seed: 5 });
    const twin = generateDataset({ size: 'M', seed: 5 });
    const before = new Map(ds.courses.map((c) => [c.key, structuredClone(c)]));
    const programsBefore = new Map(ds.programs.map((p) => [p.uuid, structuredClone(p)]));
    const asOf = ds.asOf;
    const indexedBefore = new Set(searchIndexOf(ds).map((d) => d.aggregationKey));

    const churn = ds.advanceDay();
    assert.deepEqual(twin.advanceDay(), churn, 'same seed, same churn');
    assert.equal(JSON.stringify(twin), JSON.stringify(ds));
    assert.equal(ds.asOf, asOf + DAY_MS);
    assert.equal(churn.day, 1);

    const items = before.size + programsBefore.size + ds.pathways.length;
    const rate = churn.changed.length / items;
    assert.ok(rate >= 0.007 && rate <= 0.015, `change rate ${rate}`);
    assert.ok(churn.added.length >= 1 && churn.added.length <= 5, `added ${churn.added.length}`);
    assert.ok(churn.retired.length >= 1 && churn.retired.length <= 5, `retired ${churn.retired.length}`);

    // A real change: the entity differs beyond its `modified` stamps.
    const withoutStamps = (value: unknown): string =>
      JSON.stringify(value, (k, v: unknown) => (k === 'modified' ? undefined : v));
    for (const key of churn.changed) {
      const [type, id] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
      if (type === 'course') {
        const after = ds.course(id);
        assert.ok(after);
        assert.notEqual(withoutStamps(after), withoutStamps(before.get(id)), `${key} did not really change`);
        assert.notEqual(after.modified, before.get(id)?.modified, `${key} modified not bumped`);
      } else if (type === 'program') {
        assert.notEqual(withoutStamps(ds.program(id)), withoutStamps(programsBefore.get(id)), `${key} did not really change`);
      }
    }
    // Nothing else changed.
    const changed = new Set(churn.changed.concat(churn.retired).map((k) => k.replace(/^course:/, '')));
    for (const [key, course] of before) {
      if (!changed.has(key)) assert.equal(JSON.stringify(ds.course(key)), JSON.stringify(course), `${key} changed silently`);
    }

    // Retired courses leave search; added ones join it.
    const indexedAfter = new Set(searchIndexOf(ds).map((d) => d.aggregationKey));
    for (const key of churn.retired) {
      assert.ok(indexedBefore.has(key));
      assert.ok(!indexedAfter.has(key), `${key} still searchable`);
      assert.ok(ds.course(key.replace(/^course:/, '')), 'a retired course is still known to /courses/');
    }
    for (const key of churn.added) assert.ok(indexedAfter.has(key), `${key} not searchable`);
  });

  void test('successive days differ and keep the dataset consistent', () => {
    const ds = generateDataset({ size: 'S', seed: 9 });
    const days = [ds.advanceDay(), ds.advanceDay(), ds.advanceDay()];
    assert.deepEqual(
      days.map((d) => d.day),
      [1, 2, 3],
    );
    assert.notDeepEqual(days[0]?.changed, days[1]?.changed);
    assert.equal(ds.day, 3);
    const version = ds.version;
    ds.update((state) => {
      const first = state.courses[0];
      if (first) first.title = 'Edited';
    });
    assert.equal(ds.version, version + 1);
    assert.equal(ds.courses[0]?.title, 'Edited');
  });
});

void describe('files and CLI', () => {
  void test('writeDataset and loadDataset round-trip', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecat-dataset-'));
    try {
      const file = join(dir, 'nested', 's.json');
      const result = await writeDataset('S', 4, file);
      assert.equal(result.counts.courses, 200);
      assert.ok(result.bytes > 100_000);
      const loaded = await loadDataset(file);
      assert.equal(JSON.stringify(loaded), JSON.stringify(generateDataset({ size: 'S', seed: 4 })));
      assert.throws(() => DiscoveryDataset.fromJSON({ format: 'other' }), /not an ecat discovery dataset/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  void test('runDatasetCommand parses --size, --seed, --out and returns exit codes', async (t) => {
    t.mock.method(console, 'log', () => undefined);
    t.mock.method(console, 'error', () => undefined);
    const dir = await mkdtemp(join(tmpdir(), 'ecat-dataset-cli-'));
    try {
      const out = join(dir, 'd.json');
      assert.equal(await runDatasetCommand(['generate', '--size', 'S', '--seed', '3', '--out', out]), 0);
      const snapshot = JSON.parse(await readFile(out, 'utf8')) as { seed: string; size: string };
      assert.equal(snapshot.seed, '3');
      assert.equal(snapshot.size, 'S');
      assert.equal(await runDatasetCommand(['--size=S', `--out=${out}`]), 0);
      assert.equal(await runDatasetCommand(['generate', '--size', 'XL', '--out', out]), 2);
      assert.equal(await runDatasetCommand(['generate', '--size', 'S']), 2);
      assert.equal(await runDatasetCommand(['generate', '--bogus', 'x', '--out', out]), 2);
      assert.equal(await runDatasetCommand(['generate', '--out']), 2);
      assert.equal(await runDatasetCommand(['generate', '--help']), 0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
