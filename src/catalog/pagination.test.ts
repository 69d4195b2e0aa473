import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../shared/errors.js';
import { drfPage, edxPage, pageLink, pageSizeOf, pageWindow, type RequestUrl } from './pagination.js';

const url = (query: string): RequestUrl => ({ origin: 'https://catalog.example.com', path: '/api/v1/x/', query });

describe('pagination', () => {
  test('page_size: positive integers, capped; anything else falls back to the default (DRF get_page_size)', () => {
    const edx = { size: 10, max: 100 };
    assert.equal(pageSizeOf(undefined, edx), 10);
    assert.equal(pageSizeOf('50', edx), 50);
    assert.equal(pageSizeOf(' 7 ', edx), 7);
    assert.equal(pageSizeOf('1000', edx), 100);
    assert.equal(pageSizeOf('0', edx), 10);
    assert.equal(pageSizeOf('-3', edx), 10);
    assert.equal(pageSizeOf('2.5', edx), 10);
    assert.equal(pageSizeOf(['5', '20'], edx), 20, 'the last value of a repeated parameter');
    assert.equal(pageSizeOf('1000', { size: 10 }), 1000, 'P-drf has no maximum');
  });

  test('page numbers: 1..num_pages or "last"; others are 404 "Invalid page."', () => {
    assert.deepEqual(pageWindow(25, undefined, 10), { page: 1, pageSize: 10, numPages: 3, offset: 0, count: 25 });
    assert.equal(pageWindow(25, '3', 10).offset, 20);
    assert.equal(pageWindow(25, 'last', 10).page, 3);
    assert.equal(pageWindow(0, '1', 10).numPages, 1, 'an empty first page is fine');
    for (const bad of ['0', '4', 'x', '1.5', '']) {
      assert.throws(() => pageWindow(25, bad, 10), (err: unknown) => err instanceof AppError && err.kind === 'not_found' && err.message === 'Invalid page.');
    }
  });

  test('links replace or drop `page` and re-encode the query sorted, like DRF replace_query_param', () => {
    assert.equal(
      pageLink(url('page_size=2&content_keys=course-v1%3AedX%2BA%2B1&content_keys=b'), 2),
      'https://catalog.example.com/api/v1/x/?content_keys=course-v1%3AedX%2BA%2B1&content_keys=b&page=2&page_size=2',
    );
    assert.equal(pageLink(url('page=3&page_size=2'), null), 'https://catalog.example.com/api/v1/x/?page_size=2');
    assert.equal(pageLink(url('page=2'), null), 'https://catalog.example.com/api/v1/x/');
    assert.equal(pageLink(url('q=a+b&flag'), 2), 'https://catalog.example.com/api/v1/x/?flag=&page=2&q=a+b', 'blank values kept');
  });

  test('envelopes carry upstream keys in upstream order', () => {
    const w = pageWindow(25, '2', 10);
    const edx = edxPage(url('page=2'), w, ['x']);
    assert.deepEqual(Object.keys(edx), ['next', 'previous', 'count', 'num_pages', 'current_page', 'start', 'results']);
    assert.equal(edx.next, 'https://catalog.example.com/api/v1/x/?page=3');
    assert.equal(edx.previous, 'https://catalog.example.com/api/v1/x/');
    assert.equal(edx.start, 10);
    const drf = drfPage(url(''), pageWindow(5, undefined, 10), [1, 2]);
    assert.deepEqual(drf, { count: 5, next: null, previous: null, results: [1, 2] });
  });
});
