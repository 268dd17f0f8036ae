#!/usr/bin/env node
// Node 20's test runner takes no globs, so find the test files here and hand them over.
// Usage: node scripts/run-tests.mjs [unit|integration|e2e|chaos ...]   (default: unit, integration, e2e)
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';

const suites = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const dirs = (suites.length ? suites : ['unit', 'integration', 'e2e']).map((s) => join('test', s));

function walk(dir) {
  let out = [];
  let entries = [];
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries.sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

// `chaos` is the whole fault and abuse suite (issue #8): test/chaos plus its fast parts, which live
// in unit/ and integration/ so that `npm test` runs them too.
const ALSO = { chaos: [['integration', /^chaos-.*\.test\.ts$/], ['unit', /^(authz-matrix|injection).*\.test\.ts$/]] };
const also = suites.flatMap((s) => (ALSO[s] ?? []).flatMap(([dir, re]) => walk(join('test', dir)).filter((f) => re.test(f.split('/').pop()))));
const files = [...new Set([...dirs.flatMap(walk), ...also])];
if (files.length === 0) {
  console.error(`no test files under ${dirs.join(', ')}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const args = ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=600000', ...files];
const child = spawn(process.execPath, args, { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
