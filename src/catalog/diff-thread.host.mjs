// @ts-check
// Entry of the generate_diff worker thread. A worker does not inherit the TypeScript loader of a main thread
// started through tsx's register API, so this plain module registers it and loads the worker's TypeScript.
import { register } from 'tsx/esm/api';

register();
// A computed specifier: the type checker must not resolve a .ts path from this plain-JS file.
const main = './diff-thread.ts';
await import(main);
