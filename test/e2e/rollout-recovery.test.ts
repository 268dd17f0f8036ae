import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBotProcess } from '../helpers/bot-process.ts';
import { BROKEN, NEW, OLD, rolloutE2e } from '../helpers/rollout-e2e.ts';

// Failure and recovery on real sshd hosts with real ansible-playbook and ganache releases, through
// the real worker processes and the console adapter: a broken release stopped at the canary and rolled
// back, and a worker SIGKILLed mid-rollout whose work another worker finishes.
const e = rolloutE2e({ count: 3, maxUnavailable: 1, prefix: 'rr' });

test('a broken release fails the canary gate: rollout halts, nothing beyond the canary touched, rollback restores the old version', async () => {
  const id = await e.approvedUpgrade(BROKEN);
  const rec = await e.until(id, (r) => r.status === 'halted' || r.status === 'done' || r.status === 'failed', 'halted');
  assert.equal(rec.status, 'halted');
  const canary = rec.nodes.find((n) => n.wave === 0)!;
  assert.equal(canary.state, 'failed');
  assert.match(canary.detail ?? '', /reports version 7\.9\.1, want 7\.9\.3-broken/);
  assert.ok(rec.nodes.filter((n) => n.wave > 0).every((n) => n.runs === 0 && n.state === 'pending'), 'no node beyond the canary was touched');
  const vs = await e.versions();
  assert.deepEqual(vs.filter((_, i) => e.hosts.hosts[i]!.name !== canary.name), Array(e.hosts.hosts.length - 1).fill(OLD));

  const rb = await e.as('carol', `rollout rollback ${id}`);
  const rbId = e.idIn(rb, 'rb');
  const back = await e.until(rbId, (r) => r.status === 'done' || r.status === 'halted' || r.status === 'failed', 'rolled back');
  assert.equal(back.status, 'done', JSON.stringify(back));
  assert.deepEqual(back.nodes.map((n) => [n.name, n.to]), [[canary.name, OLD]]);
  assert.deepEqual(await e.versions(), Array(e.hosts.hosts.length).fill(OLD));
  assert.equal((await e.rollouts.get(id))?.status, 'rolled-back');
});

test('a worker SIGKILLed mid-rollout: another worker continues from the checkpoint and no finished node is repeated', async () => {
  e.workers.push(await startBotProcess('worker', { ...e.env, LOG_LEVEL: 'info' }));
  const id = await e.approvedUpgrade(NEW);
  // Kill the owner once the canary is done and a later node is in flight.
  const mid = await e.until(id, (r) => r.nodes.some((n) => n.state === 'done') && r.nodes.some((n) => n.state === 'upgrading' || n.state === 'gating'), 'mid-rollout');
  const owner = e.workers.find((w) => mid.owner?.includes(`-${w.pid}-`));
  assert.ok(owner, `owner ${mid.owner} is one of our workers`);
  process.kill(owner.pid, 'SIGKILL');
  const doneBefore = new Set(mid.nodes.filter((n) => n.state === 'done').map((n) => n.name));

  const rec = await e.until(id, (r) => r.status === 'done' || r.status === 'halted' || r.status === 'failed', 'finished after takeover');
  assert.equal(rec.status, 'done', JSON.stringify(rec, null, 1));
  assert.ok(rec.resumes >= 1, 'the rollout was resumed from its checkpoint');
  assert.notEqual(rec.owner, mid.owner);
  for (const n of rec.nodes) {
    if (doneBefore.has(n.name)) assert.equal(n.runs, 1, `${n.name} finished before the kill and must not run again`);
    else assert.ok(n.runs <= 2, `${n.name} ran ${n.runs} times`);
  }
  assert.deepEqual(await e.versions(), Array(e.hosts.hosts.length).fill(NEW));
  const log = (await e.rollouts.tailLog(id, 5_000)).join('\n');
  assert.match(log, /took over from the checkpoint/);
});

