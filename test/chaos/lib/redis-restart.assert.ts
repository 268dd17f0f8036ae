import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { RedisRestartResult } from './redis-restart.scenario.ts';

/** What "none lost, workers resume by themselves" means, checked on a scenario result. */
export function assertRedisRestartResult(r: RedisRestartResult, t: TestContext): void {
  t.diagnostic(`at the first restart: ${r.waitingAtFirstRestart} waiting, ${r.activeAtFirstRestart} active; processed after each restart: ${r.processedAfterRestart.join(', ')}; re-runs ${r.reruns}; enqueues during a restart: ${r.duringRestart.created} kept, ${r.duringRestart.refused} refused; drained ${r.drainMsAfterLastRestart} ms after the last restart; ${r.warnings.length} worker warnings${r.warnings[0] ? ` (e.g. ${r.warnings[0]})` : ''}`);
  assert.ok(r.waitingAtFirstRestart >= r.jobs / 2, `the first restart hit a full queue (${r.waitingAtFirstRestart} waiting)`);
  assert.equal(r.processed, r.jobs, 'every queued job ran');
  assert.equal(r.completed, r.jobs, 'every queued job completed (Redis says so after the restarts)');
  assert.equal(r.failed, 0, 'no job failed');
  for (const [i, n] of r.processedAfterRestart.entries()) assert.ok(n > 0, `workers processed jobs after restart ${i + 1} without being restarted themselves`);
  // At-least-once: a job may run again only if it was active when Redis went away.
  assert.ok(r.reruns <= r.processedAfterRestart.length * 64, `${r.reruns} re-runs is more than the active jobs at the restarts`);
  assert.ok(r.duringRestart.created + r.duringRestart.refused > 0, 'enqueues were attempted during a restart');
  assert.equal(r.duringRestart.createdButLost, 0, 'an enqueue acknowledged during a restart was lost');
  for (const m of r.duringRestart.refusalMessages) assert.match(m, /job queue \(Redis\) is unreachable; try again in a minute/);
}
