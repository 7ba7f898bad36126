#!/usr/bin/env node
/** The `stator` executable. */
import { readFileSync } from 'node:fs';
import { processIo } from './io.js';
import { runCli } from './program.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
const code = await runCli(process.argv.slice(2), processIo(), pkg.version);
process.exitCode = code;
// Leave time for buffered output; do not let a stray handle keep a finished command alive.
setTimeout(() => process.exit(code), 1000).unref();
