// The AlertStore contract: every implementation (memory, Redis) must pass these same tests.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert, Silence } from '../../src/alerts/alert.types.ts';
import type { AlertStore } from '../../src/ports/alert.port.ts';

export function alertRecord(id: string, extra: Partial<Alert> = {}): Alert {
  return {
    id, key: `lag@${id}-node`, rule: 'lag', expr: 'lag > 5', severity: 'warning', state: 'pending',
    scope: 'node', node: `${id}-node`, group: 'eth', env: 'prod', chain: 'ethereum', network: 'devnet',
    summary: 'lag 9 blocks > 5 blocks', value: 9, count: 1, since: 1_000, lastSeen: 1_000,
    posted: false, targets: [{ platform: 'console', channelId: 'ops' }], reminders: 0, rev: 0, ...extra,
  };
}

export function silenceRecord(id: string, until: number, extra: Partial<Silence> = {}): Silence {
  return { id, kind: 'node', match: 'eth-1', label: 'eth-1', by: 'console:carol', createdAt: 1, until, ...extra };
}

/** Register the contract suite; `make` returns a fresh, empty store and a clock setter. */
export function alertStoreContract(label: string, make: () => Promise<{ store: AlertStore; setNow(ms: number): void }>): void {
  describe(`AlertStore contract: ${label}`, () => {
    it('creates one active alert per key and lists it; get returns a copy', async () => {
      const { store } = await make();
      assert.equal(await store.create(alertRecord('al-aaaa1')), true);
      assert.equal(await store.create(alertRecord('al-aaaa2', { key: 'lag@al-aaaa1-node' })), false, 'same key, still active');
      assert.equal(await store.create(alertRecord('al-aaaa1', { key: 'other' })), false, 'same id');
      const active = await store.active();
      assert.deepEqual(active.map((a) => a.id), ['al-aaaa1']);
      const got = (await store.get('al-aaaa1'))!;
      got.summary = 'changed';
      assert.equal((await store.get('al-aaaa1'))!.summary, 'lag 9 blocks > 5 blocks');
      assert.equal(await store.get('al-none'), undefined);
    });

    it('saves by compare-and-set: a stale rev loses, a save stores rev + 1', async () => {
      const { store } = await make();
      await store.create(alertRecord('al-bbbb1'));
      const a = (await store.get('al-bbbb1'))!;
      assert.equal(a.rev, 0);
      assert.equal(await store.save({ ...a, state: 'firing', count: 2 }, 0), true);
      assert.equal((await store.get('al-bbbb1'))!.rev, 1);
      assert.equal(await store.save({ ...a, state: 'acknowledged' }, 0), false, 'stale rev');
      assert.equal((await store.get('al-bbbb1'))!.state, 'firing');
      assert.equal(await store.save(alertRecord('al-nope'), 0), false, 'save never creates');
    });

    it('exactly one of two concurrent saves with the same rev wins', async () => {
      const { store } = await make();
      await store.create(alertRecord('al-race1'));
      for (let round = 0; round < 5; round++) {
        const cur = (await store.get('al-race1'))!;
        const results = await Promise.all([
          store.save({ ...cur, summary: `a${round}` }, cur.rev),
          store.save({ ...cur, summary: `b${round}` }, cur.rev),
        ]);
        assert.equal(results.filter(Boolean).length, 1, `round ${round}`);
      }
      assert.equal((await store.get('al-race1'))!.rev, 5);
    });

    it('resolving frees the key for a new alert and lists the resolved one, newest first', async () => {
      const { store } = await make();
      await store.create(alertRecord('al-res01'));
      await store.create(alertRecord('al-res02', { key: 'peers@x', rule: 'peers' }));
      const a = (await store.get('al-res01'))!;
      assert.equal(await store.save({ ...a, state: 'resolved', resolvedAt: 5_000 }, a.rev), true);
      const b = (await store.get('al-res02'))!;
      assert.equal(await store.save({ ...b, state: 'resolved', resolvedAt: 6_000 }, b.rev), true);
      assert.deepEqual((await store.active()).map((x) => x.id), []);
      assert.deepEqual((await store.recent(10)).map((x) => x.id), ['al-res02', 'al-res01']);
      assert.deepEqual((await store.recent(1)).map((x) => x.id), ['al-res02']);
      assert.equal(await store.create(alertRecord('al-res03', { key: a.key })), true, 'the key is free again');
      assert.equal((await store.get('al-res01'))!.state, 'resolved', 'the old one is kept');
    });

    it('drops a pending alert by compare-and-set', async () => {
      const { store } = await make();
      await store.create(alertRecord('al-drop1'));
      assert.equal(await store.drop('al-drop1', 3), false);
      assert.equal(await store.drop('al-drop1', 0), true);
      assert.equal(await store.get('al-drop1'), undefined);
      assert.deepEqual(await store.active(), []);
      assert.equal(await store.drop('al-drop1', 0), false);
      assert.equal(await store.create(alertRecord('al-drop2', { key: 'lag@al-drop1-node' })), true);
    });

    it('keeps silences until they expire; removes on request', async () => {
      const { store, setNow } = await make();
      setNow(1_000);
      await store.addSilence(silenceRecord('sl-one1', 5_000));
      await store.addSilence(silenceRecord('sl-two2', 9_000, { createdAt: 2, kind: 'rule', match: 'lag' }));
      assert.deepEqual((await store.silences()).map((s) => s.id), ['sl-one1', 'sl-two2']);
      setNow(6_000);
      assert.deepEqual((await store.silences()).map((s) => s.id), ['sl-two2']);
      assert.equal(await store.removeSilence('sl-two2'), true);
      assert.equal(await store.removeSilence('sl-two2'), false);
      assert.deepEqual(await store.silences(), []);
    });
  });
}
