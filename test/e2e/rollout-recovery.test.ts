import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBotProcess } from '../helpers/bot-process.ts';
import { BROKEN, NEW, OLD, rolloutE2e } from '../helpers/rollout-e2e.ts';

// Failure and recovery on real sshd hosts with real ansible-playbook and ganache releases, through
// the real worker processes and the console adapter: a broken release stopped at the canary and rolled
// back, and a worker SIGKILLed mid-rollout whose work another worker finishes.
const e = rolloutE2e({ count: 3, maxUnavailable: 1, prefix: 'rr' });

test('a broken release halts at the canary gate having changed nothing (no rollback to do); a later upgrade is rolled back only with approval, never from the stale record', async () => {
  const id = await e.approvedUpgrade(BROKEN);
  const rec = await e.until(id, (r) => r.status === 'halted' || r.status === 'done' || r.status === 'failed', 'halted');
  assert.equal(rec.status, 'halted');
  const canary = rec.nodes.find((n) => n.wave === 0)!;
  assert.equal(canary.state, 'failed');
  assert.match(canary.detail ?? '', /reports version 7\.9\.1, want 7\.9\.3-broken/);
  assert.ok(rec.nodes.filter((n) => n.wave > 0).every((n) => n.runs === 0 && n.state === 'pending'), 'no node beyond the canary was touched');
  assert.deepEqual(await e.versions(), Array(e.hosts.hosts.length).fill(OLD));
  // The canary still runs its old version (read over RPC): there is nothing to roll back.
  assert.match(await e.as('carol', `rollout rollback ${id}`), new RegExp(`Nothing to roll back for ${id}: ${canary.name}: already runs ${OLD.replace(/\./g, '\\.')}`));

  // A later, approved upgrade moves every node to NEW.
  const id2 = await e.approvedUpgrade(NEW);
  assert.equal((await e.until(id2, (r) => r.status === 'done' || r.status === 'halted' || r.status === 'failed', 'upgraded')).status, 'done');
  assert.deepEqual(await e.versions(), Array(e.hosts.hosts.length).fill(NEW));
  // The old record would "restore" the canary: refused, the newer rollout changed it since.
  assert.match(await e.as('carol', `rollout rollback ${id}`), new RegExp(`Nothing to roll back for ${id}: ${canary.name}: changed later by ${id2}`));
  assert.match(await e.as('carol', 'rollout rollback'), new RegExp(`say which rollout to roll back: .*recent: ${id2}`));

  // Rolling back the newer one is a prod change: it waits for bob's approval, then restores OLD.
  const asked = await e.as('carol', `rollout rollback ${id2}`);
  const approval = e.idIn(asked, 'ap');
  for (const h of e.hosts.hosts) assert.match(asked, new RegExp(`${h.name}: ${NEW.replace(/\./g, '\\.')} → ${OLD.replace(/\./g, '\\.')}`));
  assert.deepEqual(await e.versions(), Array(e.hosts.hosts.length).fill(NEW), 'nothing ran before the approval');
  const rbId = e.idIn(await e.as('bob', `approve ${approval}`), 'rb');
  const back = await e.until(rbId, (r) => r.status === 'done' || r.status === 'halted' || r.status === 'failed', 'rolled back');
  assert.equal(back.status, 'done', JSON.stringify(back));
  assert.deepEqual(back.nodes.map((n) => n.to), Array(e.hosts.hosts.length).fill(OLD));
  assert.deepEqual(await e.versions(), Array(e.hosts.hosts.length).fill(OLD));
  assert.equal((await e.rollouts.get(id2))?.status, 'rolled-back');
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

