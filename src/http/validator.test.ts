/** The TypeBox validator compiler: conversion of string inputs only when needed, bodies never converted. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Type, type TSchema } from 'typebox';
import { typeBoxValidatorCompiler } from './validator.js';

type Result = { value?: unknown; error?: unknown[] };
const compile = (schema: TSchema, httpPart: string) =>
  typeBoxValidatorCompiler({ schema, httpPart, method: 'GET', url: '/x' }) as (v: unknown) => Result;

describe('typeBoxValidatorCompiler', () => {
  const Query = Type.Object({ keys: Type.Union([Type.String(), Type.Array(Type.String())]), n: Type.Optional(Type.Number()) });

  test('a value that already passes is returned as is', () => {
    const input = { keys: 'a' };
    const r = compile(Query, 'querystring')(input);
    assert.equal(r.error, undefined);
    assert.equal(r.value, input);
  });

  test('querystring strings are converted when the raw value does not pass', () => {
    const r = compile(Query, 'querystring')({ keys: ['a', 'b'], n: '5' });
    assert.equal(r.error, undefined);
    assert.deepEqual(r.value, { keys: ['a', 'b'], n: 5 });
  });

  test('an unconvertible value yields errors', () => {
    const r = compile(Query, 'querystring')({ n: 'five' });
    assert.ok(Array.isArray(r.error) && r.error.length > 0);
  });

  test('bodies are never converted', () => {
    const Body = Type.Object({ n: Type.Number() });
    const r = compile(Body, 'body')({ n: '5' });
    assert.ok(Array.isArray(r.error) && r.error.length > 0);
    assert.deepEqual(compile(Body, 'body')({ n: 5 }).value, { n: 5 });
  });
});
