import assert from 'node:assert/strict';
import type { RolloutRecord } from '../../src/rollout/rollout.record.ts';
import type { rolloutE2e } from './rollout-e2e.ts';
import { maxConcurrentRestarts, runsOf } from './rollout-markers.ts';

type Harness = ReturnType<typeof rolloutE2e>;

/**
 * One Redis-pause trial: an approved rollout of every host to `version`; once `startedNodes` nodes
 * have started, Redis is SIGSTOPped for `pauseMs` (longer than the job lock and the leases), then
 * SIGCONTed. Every node must have run exactly once (the playbook's marker), no more nodes down at
 * once than max_unavailable, and the rollout must end recorded as done.
 */
export async function redisPauseTrial(e: Harness, opts: { version: string; startedNodes: number; pauseMs: number; maxUnavailable: number }): Promise<{ id: string; end: RolloutRecord; line: string }> {
  const id = await e.approvedUpgrade(opts.version);
  const at = await e.until(id, (r) => r.nodes.filter((n) => n.runs > 0).length >= opts.startedNodes && r.nodes.some((n) => n.state === 'upgrading' || n.state === 'gating' || n.state === 'pending'), `${opts.startedNodes} node(s) started`);
  const pid = e.redis.pid;
  process.kill(pid, 'SIGSTOP');
  try {
    // The fault itself lasts this long (not a wait for a result): twice the job lock.
    await new Promise((r) => setTimeout(r, opts.pauseMs));
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  const end = await e.until(id, (r) => ['done', 'halted', 'failed', 'aborted'].includes(r.status), 'ended after the pause');
  const runs = runsOf(e.hosts, id);
  // How often a worker started the job: 2 or more means BullMQ re-delivered it during the pause.
  const deliveries = e.workers.map((w) => w.stderr().split('\n').filter((l) => l.includes('job started') && l.includes(`"jobId":"${id}"`)).length).reduce((a, b) => a + b, 0);
  const line = `paused at ${at.nodes.map((n) => n.state).join('/')} → ${end.status}, job started ${deliveries}×, marker runs ${JSON.stringify(runs)}, resumes ${end.resumes}`;
  assert.ok(deliveries >= 2, `the pause must make BullMQ deliver the job a second time while the first run goes on: ${line}`);
  assert.equal(end.status, 'done', `${line}\n${JSON.stringify(end, null, 1)}`);
  assert.deepEqual(Object.values(runs), Array(e.hosts.hosts.length).fill(1), `each node ran exactly once: ${line}`);
  assert.ok(end.nodes.every((n) => n.runs === 1), `record: ${JSON.stringify(end.nodes)}`);
  assert.ok(maxConcurrentRestarts(e.hosts) <= opts.maxUnavailable, `max_unavailable ${opts.maxUnavailable} exceeded: ${maxConcurrentRestarts(e.hosts)} restarts at once`);
  return { id, end, line };
}
