// The approval card as a new user read it in the demo (issue #18): the environment said once, and an
// upgrade that is a downgrade or a pre-release says so before anyone approves it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareVersions, upgradeWarnings } from '../../src/health/version.ts';
import { allText, pipelineHarness } from '../helpers/pipeline-harness.ts';

const envFields = (text: string) => (text.match(/"label":"environment"/g) ?? []).length;

describe('approval card', () => {
  it('names the environment once', async () => {
    const h = pipelineHarness();
    const card = allText(await h.send('carol', 'upgrade eth-devnet 7.9.3 --env prod'));
    assert.match(card, /Approval ap-/);
    assert.equal(envFields(card), 1, card);
  });

  it('warns of a downgrade below desired_version and of a pre-release; a plain upgrade has no warning', async () => {
    const h = pipelineHarness();
    const desired = h.fleet.groups['eth-devnet']!.desired_version;
    const down = allText(await h.send('carol', 'upgrade eth-devnet 7.9.0 --env prod'));
    assert.match(down, new RegExp(`7\\.9\\.0 is older than the group's desired_version ${desired.replace(/\./g, '\\.')}: this is a downgrade`));
    const rc = allText(await h.send('carol', 'upgrade eth-devnet 7.10.0-rc.1 --env prod'));
    assert.match(rc, /7\.10\.0-rc\.1 is a pre-release/);
    assert.doesNotMatch(rc, /downgrade/);
    const up = allText(await h.send('carol', 'upgrade eth-devnet 7.9.3 --env prod'));
    assert.doesNotMatch(up, /⚠/);
  });

  it('orders versions by their numbers, a pre-release before its release', () => {
    assert.equal(Math.sign(compareVersions('7.9.1', '7.9.2')), -1);
    assert.equal(Math.sign(compareVersions('v7.10.0', '7.9.2')), 1);
    assert.equal(Math.sign(compareVersions('0.21.2.1', '0.21.2')), 1);
    assert.equal(Math.sign(compareVersions('1.0.0-rc.1', '1.0.0')), -1);
    assert.equal(Math.sign(compareVersions('1.0.0', '1.0.0+build.5')), 0);
    assert.deepEqual(upgradeWarnings('7.9.3', '7.9.2'), []);
  });
});
