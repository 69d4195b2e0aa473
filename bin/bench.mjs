#!/usr/bin/env node
// Entry point of `npm run bench`: loads the TypeScript harness through tsx, as bin/ecat.mjs does for the CLI.
import { register } from 'tsx/esm/api';

register();
// A computed specifier: the type checker must not resolve a .ts path from this plain-JS file.
const harness = '../bench/main.ts';
const { main } = await import(harness);
const code = await main(process.argv.slice(2));
// The simulator, sockets and timers of the run are closed; exit even if a stray handle would keep us alive.
process.exit(code);
