import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { NEW, OLD, rolloutE2e } from '../helpers/rollout-e2e.ts';

// Real sshd hosts, real ansible-playbook, real ganache releases from npm, the real worker process;
// commands typed through the console adapter as different users.
const e = rolloutE2e({ count: 6, maxUnavailable: 2, prefix: 'ro' });

test('prod rollout: self-approval refused, approver approves, canary then waves, each node gated on the version its RPC reports; a second upgrade meanwhile is refused naming the lock holder', async () => {
  assert.deepEqual(await e.versions(), Array(6).fill(OLD));
  const asked = await e.as('carol', `upgrade demo ${NEW} --env prod`);
  const approval = e.idIn(asked, 'ap');
  const self = await e.as('carol', `approve ${approval}`);
  assert.match(self, /cannot approve|approver|not allowed|own/i);
  const approved = await e.as('bob', `approve ${approval}`);
  const id = e.idIn(approved, 'up');

  await e.until(id, (r) => r.status === 'running' && r.nodes.some((n) => n.runs > 0), 'running');
  const second = await e.as('carol', `upgrade demo ${OLD} --env prod`);
  assert.match(second, new RegExp(`locked by ${id}`), second);

  const rec = await e.until(id, (r) => r.status === 'done' || r.status === 'halted' || r.status === 'failed', 'finished');
  assert.equal(rec.status, 'done', JSON.stringify(rec, null, 1));
  assert.deepEqual(await e.versions(), Array(6).fill(NEW));
  // Canary alone in wave 1, and every node run exactly once.
  assert.deepEqual(rec.waves[0]?.length, 1);
  assert.ok(rec.nodes.every((n) => n.state === 'done' && n.runs === 1 && n.from === OLD && n.to === NEW), JSON.stringify(rec.nodes));
  const canaryEnd = rec.nodes.find((n) => n.wave === 0)!.endedAt!;
  assert.ok(rec.nodes.filter((n) => n.wave > 0).every((n) => n.startedAt! >= canaryEnd), 'later waves start after the canary is healthy');
  const status = await e.as('carol', `rollout status ${id}`);
  assert.match(status, /done/);
  const log = await e.as('carol', `job ${id} log`);
  assert.match(log, /gate passed: node-\d runs 7\.9\.2/);
});

test('an approval is void when the playbook changed after the request; metacharacters are refused before any process starts', async () => {
  const asked = await e.as('carol', `upgrade demo ${OLD} --env prod`);
  const approval = e.idIn(asked, 'ap');
  appendFileSync(e.playbookCopy, '\n# edited after the request\n');
  const approved = await e.as('bob', `approve ${approval}`);
  assert.match(approved, /plan changed|changed since/i, approved);
  assert.doesNotMatch(approved, /\bup-[a-z0-9]{4,}/);

  const before = (await e.rollouts.list(100)).length;
  for (const line of ['upgrade "demo;id" 7.9.2 --env prod', 'upgrade demo "7.9.2;id" --env prod', 'upgrade demo $(id) --env prod', 'upgrade ../demo 7.9.2 --env prod', 'upgrade demo -e --env prod', 'upgrade demo 7.9.2 --env "prod`id`"']) {
    const out = await e.as('carol', line);
    assert.doesNotMatch(out, /\b(ap|up)-[a-z0-9]{4,}/, `${line} must not create an approval or job:\n${out}`);
  }
  assert.equal((await e.rollouts.list(100)).length, before);
});
