import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryReleaseStore } from '../../adapters/memory/memory-release.store.ts';
import { pollReleases, type ReleaseWatchDeps } from '../../src/releases/release-watch.ts';
import { releaseSourceSchema } from '../../src/releases/release-source.schema.ts';
import { parseCommand } from '../../src/command/parse.ts';
import { allText, buttonsOf, pipelineHarness } from '../helpers/pipeline-harness.ts';

/**
 * Console level: a release arriving posts its message with its buttons in the group's channel; the
 * buttons run the commands they stand for; `releases` lists and ignores; `upgrade` to a version the
 * source does not list warns on the approval card.
 */
function setup() {
  const h = pipelineHarness((f) => {
    f.groups['eth-devnet']!.releases = releaseSourceSchema.parse({
      source: 'static',
      versions: ['7.9.0', '7.9.1', { version: '7.9.2', name: 'ganache v7.9.2', url: 'https://github.com/trufflesuite/ganache/releases/tag/v7.9.2', published_at: '2023-05-30T12:00:00Z', notes: 'Fixes a security issue' }],
    });
  });
  const store = new MemoryReleaseStore();
  h.deps.releases = store;
  const watch: ReleaseWatchDeps = {
    fleet: h.deps.fleet, store, state: h.state, outbox: h.outbox, audit: h.audit, clock: h.deps.clock, logger: h.deps.logger,
    fetcher: { fetch: async () => { throw new Error('a static source needs no fetcher'); } },
  };
  return { h, store, watch };
}

describe('releases in chat (console)', () => {
  it('parses `releases [group]` and `releases ignore <group> <version>`', () => {
    const list = parseCommand('releases eth-devnet');
    assert.ok(list.ok && list.command.values['action'] === 'list' && list.command.values['group'] === 'eth-devnet');
    const all = parseCommand('/chainops releases');
    assert.ok(all.ok && all.command.values['group'] === undefined);
    const ign = parseCommand('releases ignore eth-devnet 7.9.2');
    assert.ok(ign.ok && ign.command.canonical === '/chainops releases ignore eth-devnet 7.9.2');
    assert.equal(parseCommand('releases ignore eth-devnet "7.9.2;rm"').ok, false);
  });

  it('a release arriving posts once with its buttons; Ignore marks it; upgrade warns only for an unlisted version', async () => {
    const { h, watch } = setup();
    await h.state.putSnapshots(['eth-1', 'eth-2', 'eth-3'].map((node) => ({ node, group: 'eth-devnet', env: 'prod', chain: 'ethereum', network: 'devnet', at: h.now(), reachable: true, version: '7.9.1', latencyMs: 1, warnings: [] })));
    await pollReleases(watch);
    await pollReleases(watch, { force: true });
    const posts = h.chatLog.filter((e) => e.op === 'post' && /New ganache release/.test(e.message.text));
    assert.equal(posts.length, 1, 'one post per group and version');
    const post = posts[0]!;
    assert.equal(post.ref.channelId, 'console');
    assert.match(allText(post.message), /7\.9\.2 for eth-devnet 🔒 security/);
    assert.match(allText(post.message), /eth-1 \(prod, 7\.9\.1\), eth-2 \(prod, 7\.9\.1\), eth-3 \(prod, 7\.9\.1\)/);
    const [upgrade, promote, ignore] = buttonsOf(post.message);
    assert.deepEqual([upgrade?.label, promote?.label, ignore?.label], ['Upgrade prod', 'Start promotion', 'Ignore this version']);

    // Upgrade: the normal flow (prod needs an approval); 7.9.2 is listed, so no release warning.
    const card = await h.click('carol', upgrade!);
    assert.match(allText(card), /Approval ap-/);
    assert.doesNotMatch(allText(card), /not a release listed/);

    // A version the source does not list: the approval card says so.
    const unlisted = await h.send('carol', 'upgrade eth-devnet 7.9.5 --env prod');
    assert.match(allText(unlisted), /7\.9\.5 is not a release listed by the static list/);

    // A viewer may list but not ignore.
    assert.match(allText(await h.send('dave', 'releases ignore eth-devnet 7.9.2')), /operator/);
    const listed = await h.send('dave', 'releases eth-devnet');
    assert.match(allText(listed), /"7\.9\.2","2023-05-30","security, desired","—"/);
    assert.match(allText(listed), /"7\.9\.1","\?","—","prod"/);

    // Ignore (operator): the post is edited in place, the list marks it, the audit log has it.
    const reply = await h.click('carol', ignore!);
    assert.match(allText(reply), /7\.9\.2 is ignored/);
    const edit = h.chatLog.filter((e) => e.op === 'update' && e.ref.messageId === post.ref.messageId).at(-1);
    assert.ok(edit, 'the post is edited');
    assert.match(allText(edit.message), /Ignored by console:carol/);
    assert.equal(buttonsOf(edit.message).length, 0);
    assert.match(allText(await h.send('dave', 'releases eth-devnet')), /"7\.9\.2","2023-05-30","ignored, security, desired"/);
    assert.ok((await h.audit.latest(20)).some((e) => e.action === 'release.ignore' && e.detail === 'eth-devnet 7.9.2'));
    assert.match(allText(await h.send('carol', 'upgrade eth-devnet 7.9.2 --env prod')), /7\.9\.2 was marked ignored/);
  });

  it('says when a group has no source, or has not been polled yet', async () => {
    const { h } = setup();
    const text = allText(await h.send('dave', 'releases'));
    assert.match(text, /ltc-regtest\*\* — no release source/);
    assert.match(text, /eth-devnet\*\* — the static list · range \* · pre-releases off · not polled yet/);
    // Before the first poll there is nothing to compare with: no warning.
    assert.doesNotMatch(allText(await h.send('carol', 'upgrade eth-devnet 7.9.5 --env prod')), /not a release listed/);
  });
});

describe('releases: upgrade without approval', () => {
  it('the start message of an upgrade that needs no approval carries the warning too', async () => {
    const h = pipelineHarness((f) => {
      f.environments['prod']!.approval.required = 0;
      f.groups['eth-devnet']!.releases = releaseSourceSchema.parse({ source: 'static', versions: ['7.9.1', '7.9.2'] });
    });
    const store = new MemoryReleaseStore();
    h.deps.releases = store;
    await h.deps.checkNow(['eth-1', 'eth-2', 'eth-3']);
    await pollReleases({ fleet: h.deps.fleet, store, state: h.state, outbox: h.outbox, audit: h.audit, clock: h.deps.clock, logger: h.deps.logger, fetcher: { fetch: async () => ({ kind: 'unchanged' }) } });
    await h.send('carol', 'upgrade eth-devnet 7.9.5 --env prod');
    assert.equal(h.queue.jobs('upgrade').length, 1, 'the upgrade started (a warning never blocks)');
    const started = h.chatLog.filter((e) => /upgrade prod\/eth-devnet/.test(allText(e.message)));
    assert.ok(started.length > 0, 'the job message was posted');
    assert.ok(started.every((e) => /7\.9\.5 is not a release listed by the static list/.test(allText(e.message))));
  });
});
