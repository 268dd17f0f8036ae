import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// The core stays free of SDKs and I/O libraries so it is testable without a network and a third
// chat platform is one new folder under adapters/. Only the composition root (src/main) may wire them.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FORBIDDEN = /from\s+'(bullmq|ioredis|node-ssh|@slack\/[^']+|discord\.js|undici|pino|ws)'|from\s+'(\.\.\/)+(adapters|jobs)\//;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('no file in src/ outside the composition root imports a platform SDK, BullMQ, ioredis, node-ssh, adapters or jobs', () => {
  const core = files(join(ROOT, 'src')).filter((f) => !relative(ROOT, f).startsWith('src/main/'));
  assert.ok(core.length > 20, 'the scan found the core files');
  const offenders = core.flatMap((f) =>
    readFileSync(f, 'utf8').split('\n').filter((l) => FORBIDDEN.test(l)).map((l) => `${relative(ROOT, f)}: ${l.trim()}`),
  );
  assert.deepEqual(offenders, []);
});

test('jobs/ imports only the core and its own folder, never a chat adapter', () => {
  const offenders = files(join(ROOT, 'jobs')).flatMap((f) =>
    readFileSync(f, 'utf8').split('\n').filter((l) => /from\s+'(\.\.\/)+adapters\/|from\s+'(@slack\/[^']+|discord\.js)'/.test(l)).map((l) => `${relative(ROOT, f)}: ${l.trim()}`),
  );
  assert.deepEqual(offenders, []);
});
