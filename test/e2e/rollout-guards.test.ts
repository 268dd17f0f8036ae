import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Redis } from 'ioredis';
import { RedisStateStore } from '../../adapters/redis/redis-state.store.ts';
import type { RolloutRecord } from '../../src/rollout/rollout.record.ts';
import { startBotProcess } from '../helpers/bot-process.ts';
import { BROKEN, NEW, OLD, rolloutE2e } from '../helpers/rollout-e2e.ts';
import { allMarkers, markRuns, runsOf } from '../helpers/rollout-markers.ts';
import { storePrefix } from '../../src/ports/key-layout.ts';

// Issue #13 on real sshd hosts, ansible-playbook and ganache through the real worker processes: a
// freeze pauses a running rollout at the next node boundary; a plan changed after approval (a role
// file, a vars file, a template, the waves) is refused on retry and on takeover after SIGKILL with
// nothing run on any host; a worker without ansible-playbook records `failed`, and retry and abort
// then answer correctly.
const e = rolloutE2e({ count: 3, maxUnavailable: 1, prefix: 'rg', prepare: markRuns });
let conn: Redis | undefined;
// Made on first use: the harness's own before() starts Redis.
function store(): RedisStateStore {
  conn ??= new Redis(e.env['REDIS_URL']!);
  return new RedisStateStore(conn, { prefix: storePrefix(e.env['CHAINOPS_PREFIX']!, 'state') });
}
after(() => conn?.disconnect());

const ended = (r: RolloutRecord) => ['done', 'halted', 'failed', 'aborted'].includes(r.status);

test('a freeze while a rollout runs pauses it at the next node boundary and says so; unfreeze continues it to done', async () => {
  const id = await e.approvedUpgrade(NEW);
  await e.until(id, (r) => r.nodes.some((n) => n.state === 'upgrading' || n.state === 'gating'), 'a node in flight');
  const frozenAt = Date.now();
  await store().setFreeze({ env: 'prod', by: 'console:admin', reason: 'chain halt drill', at: frozenAt });
  const paused = await e.until(id, (r) => r.status === 'paused' || ended(r), 'paused by the freeze');
  assert.equal(paused.status, 'paused', JSON.stringify(paused));
  assert.match(paused.reason ?? '', /prod is frozen by console:admin \(chain halt drill\)/);
  assert.ok(paused.nodes.filter((n) => n.runs > 0).every((n) => n.startedAt! <= frozenAt), `no node started after the freeze: ${JSON.stringify(paused.nodes)}`);
  assert.ok(paused.nodes.some((n) => n.state === 'pending'), 'paused before the rest');
  await store().clearFreeze('prod');
  const end = await e.until(id, ended, 'finished after unfreeze');
  assert.equal(end.status, 'done', JSON.stringify(end));
  assert.deepEqual(await e.versions(), Array(3).fill(NEW));
  const log = (await e.rollouts.tailLog(id, 5_000)).join('\n');
  assert.match(log, /Paused before the next node: prod is frozen/);
});

test('plan changed between approval and retry — a role file, a vars file, a template, the waves: refused each time, nothing runs on any host', async () => {
  const id = await e.approvedUpgrade(BROKEN);
  const halted = await e.until(id, ended, 'halted at the canary');
  assert.equal(halted.status, 'halted', JSON.stringify(halted));
  const fleetDir = dirname(e.playbookCopy);
  const file = (rel: string, text: string) => () => {
    mkdirSync(dirname(join(fleetDir, rel)), { recursive: true });
    writeFileSync(join(fleetDir, rel), text);
    return () => rmSync(join(fleetDir, rel.split('/')[0]!), { recursive: true, force: true });
  };
  const changes: Array<[string, () => (() => unknown) | Promise<() => unknown>]> = [
    ['a role file', file('roles/demo/tasks/main.yml', '- ansible.builtin.debug: { msg: changed }\n')],
    ['a vars file', file('group_vars/all.yml', 'demo_node_bin: /bin/false\n')],
    ['a template', file('templates/node.env.j2', 'FLAGS=--unsafe\n')],
    ['the waves', async () => {
      const rec = (await e.rollouts.get(id))!;
      await e.rollouts.save({ ...rec, waves: [...rec.waves].reverse() });
      return () => e.rollouts.save({ ...rec, waves: rec.waves, status: 'failed' });
    }],
  ];
  const markers = allMarkers(e.hosts);
  for (const [what, change] of changes) {
    const before = (await e.rollouts.get(id))!;
    const revert = await change();
    const out = await e.as('carol', `rollout retry ${id}`);
    assert.match(out, /Retrying/, out);
    const rec = await e.until(id, (r) => r.updatedAt > before.updatedAt && ended(r), `retry after ${what} refused`);
    assert.equal(rec.status, 'failed', `${what}: ${JSON.stringify(rec)}`);
    assert.match(rec.reason ?? '', /plan changed since it was approved.*a new approval is needed/, what);
    assert.equal(allMarkers(e.hosts), markers, `${what}: nothing ran on any host`);
    await revert();
  }
});

test('plan changed between approval and takeover after SIGKILL: the surviving worker refuses, the nodes not started never run', async () => {
  e.workers.push(await startBotProcess('worker', { ...e.env, LOG_LEVEL: 'info' }));
  const id = await e.approvedUpgrade(OLD);
  const mid = await e.until(id, (r) => r.nodes.some((n) => n.state === 'upgrading' || n.state === 'gating'), 'a node in flight');
  const owner = e.workers.find((w) => mid.owner?.includes(`-${w.pid}-`));
  assert.ok(owner, `owner ${mid.owner} is one of our workers`);
  process.kill(owner.pid, 'SIGKILL');
  e.workers.splice(e.workers.indexOf(owner), 1);
  const notStarted = mid.nodes.filter((n) => n.runs === 0).map((n) => n.name);
  writeFileSync(join(dirname(e.playbookCopy), 'host_vars.yml'), 'changed: after the approval\n');
  try {
    const rec = await e.until(id, ended, 'takeover refused');
    assert.equal(rec.status, 'failed', JSON.stringify(rec));
    assert.match(rec.reason ?? '', /plan changed since it was approved.*a new approval is needed/);
    const runs = runsOf(e.hosts, id);
    for (const n of notStarted) assert.equal(runs[n], 0, `${n} was not started before the kill and must never run`);
  } finally {
    rmSync(join(dirname(e.playbookCopy), 'host_vars.yml'), { force: true });
  }
});

test('a worker without ansible-playbook on PATH records failed with the reason; retry fails the same way, abort closes it', async () => {
  await Promise.all(e.workers.splice(0).map((w) => w.stop()));
  const emptyBin = join(dirname(e.playbookCopy), 'empty-bin');
  mkdirSync(emptyBin, { recursive: true });
  e.workers.push(await startBotProcess('worker', { ...e.env, LOG_LEVEL: 'info', PATH: emptyBin }));
  const id = await e.approvedUpgrade(NEW);
  const failed = await e.until(id, ended, 'failed without ansible');
  assert.equal(failed.status, 'failed', JSON.stringify(failed));
  assert.match(failed.reason ?? '', /could not start ansible-playbook.*install ansible-core/);
  const retry = await e.as('carol', `rollout retry ${id}`);
  assert.match(retry, /Retrying/, retry);
  const again = await e.until(id, (r) => r.updatedAt > failed.updatedAt && ended(r), 'the retry ended');
  assert.equal(again.status, 'failed');
  assert.match(again.reason ?? '', /could not start ansible-playbook/);
  const abort = await e.as('carol', `rollout abort ${id}`);
  assert.match(abort, /closed/, abort);
  assert.equal((await e.rollouts.get(id))?.status, 'aborted');
});
