import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readEnv } from '../../src/main/env.ts';
import { workerOptions } from '../../src/main/worker.role.ts';

describe('environment', () => {
  it('defaults: prefix, port, worker concurrency and the job leases', () => {
    const env = readEnv({});
    assert.equal(env.CHAINOPS_PREFIX, 'chainops');
    assert.equal(env.PORT, 3000);
    assert.deepEqual(workerOptions(env), { concurrency: 4, leaseMs: 30_000 });
  });

  it('worker settings come from the environment, numbers parsed', () => {
    const env = readEnv({ WORKER_CONCURRENCY: '8', CHAINOPS_LEASE_MS: '6000', CHAINOPS_JOB_LOCK_MS: '9000', CHAINOPS_SSH_KEY_FILE: '/run/secrets/ssh' });
    assert.deepEqual(workerOptions(env), { concurrency: 8, leaseMs: 6_000, jobLockMs: 9_000, sshKeyFile: '/run/secrets/ssh' });
  });

  it('a bad value names the variable and what fits, instead of running with NaN', () => {
    assert.throws(() => readEnv({ CHAINOPS_LEASE_MS: 'thirty' }), /bad environment:\n  ✖ CHAINOPS_LEASE_MS: /);
    assert.throws(() => readEnv({ CHAINOPS_JOB_LOCK_MS: '10' }), /CHAINOPS_JOB_LOCK_MS: use at least 1000 \(ms\)/);
    assert.throws(() => readEnv({ REDIS_URL: 'localhost:6379' }), /REDIS_URL: does not start with one of redis:\/\/.*\n.*redis\+sentinel:\/\//s);
    assert.throws(() => readEnv({ PORT: '70000' }), /PORT/);
  });
});
