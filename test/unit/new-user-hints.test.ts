/** What a new user typed wrong in the demo, and the hint each now gets (issue #18). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommand } from '../../src/command/parse.ts';

const HINTS = { env: ['dev', 'prod'], group: ['eth-devnet', 'ltc-regtest'], node: ['eth-1', 'eth-2', 'ltc-1'] };

function refusal(text: string) {
  const r = parseCommand(text, HINTS);
  assert.equal(r.ok, false, `${text} must be refused`);
  return r as { ok: false; message: string; suggestion?: string };
}

test('a rollout action typed alone points at `rollout <action>`', () => {
  for (const action of ['rollback', 'pause', 'resume', 'abort', 'retry']) {
    const r = refusal(`${action} ro-abc123`);
    assert.equal(r.suggestion, `rollout ${action}`);
    assert.match(r.message, new RegExp(`did you mean \`rollout ${action}\`\\?`));
  }
  assert.equal(refusal('upgrad eth-devnet 1.0.0').suggestion, 'upgrade', 'plain typos still suggest the verb');
});

test('a mistyped environment suggests the closest one the fleet has, not a fixed list', () => {
  const r = refusal('upgrade eth-devnet 7.9.2 --env Prod');
  assert.equal(r.suggestion, 'prod');
  assert.match(r.message, /use one of dev, prod — did you mean `prod`\?/);
  assert.doesNotMatch(r.message, /staging/, 'the demo fleet has no staging');
  const bare = parseCommand('status --env Prod');
  assert.equal(bare.ok, false);
  assert.match((bare as { message: string }).message, /such as dev, staging or prod/, 'without a fleet, the generic hint');
});

test('group and node names get the same hint', () => {
  assert.equal(refusal('nodes Eth-Devnet').suggestion, 'eth-devnet');
  assert.equal(refusal('health ETH-1').suggestion, 'eth-1');
});

test('--waves with a wave of 0 is refused up front, as is a wave over 100%', () => {
  assert.match(refusal('upgrade eth-devnet 7.9.2 --waves 0').message, /wave of 0 nodes would never finish/);
  assert.match(refusal('upgrade eth-devnet 7.9.2 --waves 1,0%').message, /wave of 0 nodes/);
  assert.match(refusal('upgrade eth-devnet 7.9.2 --waves 150%').message, /at most 100%/);
  assert.equal(parseCommand('upgrade eth-devnet 7.9.2 --waves 1,25%,100%', HINTS).ok, true);
});
