import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DiscoveryFetchError, FORCE_INCLUDE_KEY, fetchMetadataByQuery, forceIncludedKeys } from './content-source.js';
import { generateDataset } from './dataset.js';
import { SampleContentSource } from './sample.source.js';

void describe('SampleContentSource', () => {
  void test('serves the dataset offline and follows its churn', async () => {
    const dataset = generateDataset({ size: 'S', seed: 6 });
    const source = new SampleContentSource({ dataset });
    const before = await source.searchAll({ content_type: 'course' });
    assert.equal(before.items.length, 200);
    assert.equal(before.pages, 2);
    assert.equal(before.requests, 2, 'counted as the HTTP source would: one request per page');
    const churn = dataset.advanceDay();
    const after = await source.searchAll({ content_type: 'course' });
    const keys = new Set(after.items.map((i) => i.aggregation_key));
    for (const key of churn.retired) assert.ok(!keys.has(key));
    for (const key of churn.added) assert.ok(keys.has(key));
  });

  void test('fetchCourses and fetchPrograms skip unknown ids; learner pathways are included', async () => {
    const source = new SampleContentSource({ size: 'S', seed: 6 });
    const [first] = source.dataset.courses;
    assert.ok(first);
    const courses = await source.fetchCourses([first.key, 'NoSuchX+1', first.key]);
    assert.deepEqual(
      courses.map((c) => c.key),
      [first.key],
    );
    assert.deepEqual(await source.fetchPrograms(['no-such-uuid']), []);
    const pathways = await source.searchAll({ content_type: 'learnerpathway' });
    assert.equal(pathways.items.length, source.dataset.pathways.length);
    assert.equal(source.stats().requests, 3, 'one course batch, one program batch, one search page');
  });

  void test('fails like upstream beyond the result window, and on abort', async () => {
    const source = new SampleContentSource({ size: 'S', seed: 6, maxResultWindow: 300 });
    await assert.rejects(source.searchAll({ content_type: 'courserun' }), (error: unknown) => {
      assert.ok(error instanceof DiscoveryFetchError);
      assert.equal(error.status, 500);
      assert.equal(error.page, 4);
      return true;
    });
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(source.searchAll({}, { signal: controller.signal }), (error: unknown) => error instanceof DiscoveryFetchError && error.code === 'aborted');
  });
});

void describe('fetchMetadataByQuery', () => {
  void test('appends force-included courses dressed as visible hits', async () => {
    const source = new SampleContentSource({ size: 'S', seed: 6 });
    const [inSearch, hidden] = source.dataset.courses;
    assert.ok(inSearch && hidden);
    const filter = { content_type: 'course', 'key.raw': inSearch.key, [FORCE_INCLUDE_KEY]: [hidden.key, inSearch.key, 'NoSuchX+1'] };
    assert.deepEqual(forceIncludedKeys(filter), [hidden.key, inSearch.key, 'NoSuchX+1']);
    const result = await fetchMetadataByQuery(source, filter);
    assert.deepEqual(
      result.items.map((i) => i.aggregation_key),
      [`course:${inSearch.key}`, `course:${hidden.key}`],
    );
    const forced = result.items[1] as Record<string, unknown>;
    assert.equal(forced.enterprise_force_included, true);
    assert.equal(forced.content_type, 'course');
    const runs = forced.course_runs as { status: string; availability: string }[];
    assert.ok(runs.length > 0 && runs.every((r) => r.status === 'published' && r.availability === 'Current'));
    assert.deepEqual(forced.course_run_statuses, ['published']);
    assert.equal((result.items[0] as Record<string, unknown>).enterprise_force_included, undefined);
  });
});
