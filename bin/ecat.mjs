#!/usr/bin/env node
// Entry point of the `ecat` command: loads the TypeScript sources through tsx, so no build step is needed
// after `npm ci`.
import { register } from 'tsx/esm/api';

register();
// A computed specifier: the type checker must not resolve a .ts path from this plain-JS file.
const cli = '../src/cli.ts';
await import(cli);
