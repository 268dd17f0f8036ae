import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDelay, pickDelay } from '../../src/promotion/promotion-durations.ts';
import { windowState } from '../../src/promotion/change-window.ts';
import { changeWindowsSchema } from '../../src/promotion/change-window.schema.ts';
import { promotionSchema, type PromotionConfig } from '../../src/promotion/promotion.schema.ts';
import { advance, applyOutcome, type Observations } from '../../src/promotion/promotion-step.ts';
import type { PromotionRecord } from '../../src/promotion/promotion.record.ts';
import { changeJobId } from '../../src/promotion/promotion-ids.ts';

const H = 3_600_000;

describe('promotion delays', () => {
  it('parses fixed delays and ranges (the lower bound takes the upper unit)', () => {
    assert.deepEqual(parseDelay('0-6h'), { minMs: 0, maxMs: 6 * H });
    assert.deepEqual(parseDelay('30m-2h'), { minMs: 30 * 60_000, maxMs: 2 * H });
    assert.deepEqual(parseDelay('45m'), { minMs: 45 * 60_000, maxMs: 45 * 60_000 });
    assert.deepEqual(parseDelay(0), { minMs: 0, maxMs: 0 });
    assert.deepEqual(parseDelay('0'), { minMs: 0, maxMs: 0 });
    assert.equal(parseDelay('6h-1h'), undefined, 'a range running backwards');
    assert.equal(parseDelay('soon'), undefined);
    assert.equal(parseDelay('1h-'), undefined);
  });

  it('picks the same delay for the same promotion and stage, within the range, spread across seeds', () => {
    const r = { minMs: 0, maxMs: 6 * H };
    assert.equal(pickDelay(r, 'pr-a:0'), pickDelay(r, 'pr-a:0'));
    const picks = Array.from({ length: 50 }, (_, i) => pickDelay(r, `pr-${i}:0`));
    assert.ok(picks.every((p) => p >= 0 && p <= 6 * H));
    assert.ok(new Set(picks).size > 40, 'different promotions get different delays');
    assert.equal(pickDelay({ minMs: 5, maxMs: 5 }, 'x'), 5);
  });

  it('the fleet schema fills defaults and refuses bad stages with a fix', () => {
    const cfg = promotionSchema.parse({ stages: [{ env: 'dev', delay: '0-6h', soak: '24h' }, { env: 'prod', auto: false, fail_on: ['lag'] }] });
    assert.equal(cfg.on_failure, 'rollback');
    assert.equal(cfg.start, 'manual');
    assert.equal(cfg.poll, 30_000);
    assert.deepEqual(cfg.stages[0]!.delay, { minMs: 0, maxMs: 6 * H });
    assert.equal(cfg.stages[0]!.soak, 24 * H);
    assert.equal(cfg.stages[1]!.auto, false);
    assert.deepEqual(cfg.stages[1]!.delay, { minMs: 0, maxMs: 0 });
    const dup = promotionSchema.safeParse({ stages: [{ env: 'dev' }, { env: 'dev' }] });
    assert.ok(!dup.success && /already an earlier stage/.test(dup.error.message));
    const bad = promotionSchema.safeParse({ stages: [{ env: 'dev', delay: 'later' }] });
    assert.ok(!bad.success && /0-6h/.test(bad.error.message));
  });
});

describe('change windows (UTC)', () => {
  const weekdays = changeWindowsSchema.parse([{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' }])!;
  it('open inside, closed outside, with the next opening', () => {
    assert.equal(windowState(weekdays, Date.parse('2026-12-02T10:00:00Z')).open, true); // a Wednesday
    const sat = windowState(weekdays, Date.parse('2026-12-05T10:00:00Z'));
    assert.equal(sat.open, false);
    assert.equal(sat.nextOpen, Date.parse('2026-12-07T09:00:00Z'), 'Monday 09:00');
    const evening = windowState(weekdays, Date.parse('2026-12-02T17:00:00Z'));
    assert.equal(evening.open, false, 'the closing minute is outside');
    assert.equal(evening.nextOpen, Date.parse('2026-12-03T09:00:00Z'));
  });
  it('no windows is always open; a window past midnight belongs to the day it opens', () => {
    assert.equal(windowState(undefined, 0).open, true);
    assert.equal(windowState([], 0).open, true);
    const night = changeWindowsSchema.parse([{ days: ['tue'], from: '22:00', to: '02:00' }])!;
    assert.equal(windowState(night, Date.parse('2026-12-02T01:30:00Z')).open, true, 'Wednesday 01:30 is in Tuesday night');
    assert.equal(windowState(night, Date.parse('2026-12-03T01:30:00Z')).open, false, 'Thursday 01:30 is not');
  });
  it('refuses times that are not HH:MM', () => {
    assert.equal(changeWindowsSchema.safeParse([{ from: '9am', to: '17:00' }]).success, false);
  });
});

describe('promotion stage state machine', () => {
  const cfg: PromotionConfig = promotionSchema.parse({
    stages: [{ env: 'dev', soak: '1h' }, { env: 'staging', delay: '2h', soak: '1h', fail_on: ['lag'] }, { env: 'prod', auto: false }],
    poll: '1m',
  });
  const rec = (over: Partial<PromotionRecord> = {}): PromotionRecord => ({
    id: 'pr-test1234', group: 'eth', version: '1.2.3', status: 'running', stage: 0,
    stages: cfg.stages.map((s) => ({ env: s.env, state: 'pending' })), startedBy: 'slack:T/U1', starterRole: 'operator', via: 'manual',
    reportKey: 'promotion:pr-test1234', conversation: { platform: 'slack', channelId: 'C1' }, tick: 0, history: [], createdAt: 0, updatedAt: 0, ...over,
  });
  const obs = (now: number, o: Partial<Observations> = {}): Observations => ({ now, window: { open: true }, alerts: [], ...o });

  it('runs dev → staging automatically (delay, soak), holds prod for resume, then finishes', () => {
    let r = rec();
    let step = advance(r, cfg, obs(0));
    assert.deepEqual(step.effects, [{ kind: 'start-rollout' }], 'the first stage starts at once (no delay)');
    r = applyOutcome(step.rec, step.effects[0]!, { kind: 'started', rolloutId: 'up-dev' }, 0);
    assert.equal(r.stages[0]!.state, 'rolling');
    step = advance(r, cfg, obs(1_000, { rollout: { status: 'running' } }));
    assert.equal(step.rec.stages[0]!.state, 'rolling');
    assert.equal(step.wakeInMs, 60_000, 'looks again after the poll interval');
    step = advance(step.rec, cfg, obs(2_000, { rollout: { status: 'done' } }));
    assert.equal(step.rec.stages[0]!.state, 'soaking');
    assert.equal(step.rec.stages[0]!.soakUntil, 2_000 + H);
    step = advance(step.rec, cfg, obs(2_000 + H, { rollout: { status: 'done' } }));
    assert.equal(step.rec.stages[0]!.state, 'done');
    assert.equal(step.rec.stage, 1);
    assert.equal(step.rec.stages[1]!.state, 'pending', 'the next stage is looked at afresh, not with what was seen of this one');
    assert.equal(step.wakeInMs, 0);
    step = advance(step.rec, cfg, obs(2_000 + H));
    assert.equal(step.rec.stages[1]!.state, 'delaying', 'staging waits its 2h delay');
    assert.equal(step.effects.length, 0);
    step = advance(step.rec, cfg, obs(2_000 + 3 * H));
    assert.deepEqual(step.effects, [{ kind: 'start-rollout' }]);
    r = applyOutcome(step.rec, step.effects[0]!, { kind: 'empty', reason: 'already there' }, 2_000 + 3 * H);
    assert.equal(r.stages[1]!.state, 'done');
    assert.equal(r.stage, 2);
    step = advance(r, cfg, obs(2_000 + 3 * H));
    assert.equal(step.rec.stages[2]!.state, 'waiting-resume', 'auto: false');
    assert.equal(step.effects.length, 0);
    step = advance(step.rec, cfg, obs(3 * H, { control: { action: 'resume', by: 'slack:T/U2', at: 5 } }));
    assert.deepEqual(step.effects, [{ kind: 'start-rollout' }]);
    r = applyOutcome(step.rec, step.effects[0]!, { kind: 'approval', approvalId: 'ap-abc12345' }, 3 * H);
    assert.equal(r.stages[2]!.state, 'awaiting-approval');
    step = advance(r, cfg, obs(4 * H, { control: { action: 'resume', by: 'slack:T/U2', at: 5 }, approval: { status: 'approved' } }));
    assert.equal(step.rec.stages[2]!.state, 'rolling');
    assert.equal(step.rec.stages[2]!.rolloutId, changeJobId('up', 'ap-abc12345'), 'the job the approval click starts');
    step = advance(step.rec, cfg, obs(5 * H, { rollout: { status: 'done' } }));
    assert.equal(step.rec.status, 'done');
    assert.equal(step.wakeInMs, undefined);
    assert.match(step.rec.history.at(-1)!.text, /promoted through dev → staging → prod/);
  });

  it('a firing alert of a listed kind during the soak fails the stage and rolls its rollout back', () => {
    const r = rec({ stage: 1, stages: [{ env: 'dev', state: 'done' }, { env: 'staging', state: 'soaking', rolloutId: 'up-stg', soakUntil: 10 * H }, { env: 'prod', state: 'pending' }] });
    const other = advance(r, cfg, obs(H, { alerts: [] }));
    assert.equal(other.rec.stages[1]!.state, 'soaking');
    const step = advance(r, cfg, obs(H, { alerts: [{ id: 'al-1', rule: 'lag', node: 'stg-1', summary: 'lag 12 > 5' }] }));
    assert.equal(step.rec.stages[1]!.state, 'rolling-back');
    assert.deepEqual(step.effects, [{ kind: 'start-rollback' }]);
    const started = applyOutcome(step.rec, step.effects[0]!, { kind: 'started', rolloutId: 'rb-1' }, H);
    const back = advance(started, cfg, obs(2 * H, { rollback: { status: 'done' } }));
    assert.equal(back.rec.status, 'rolled-back');
    assert.equal(back.rec.stages[1]!.state, 'rolled-back');
    assert.equal(back.rec.stages[2]!.state, 'pending', 'prod never started');
    assert.match(back.rec.reason ?? '', /alert lag on stg-1/);
  });

  it('halt policy, a halted gate, a rejected approval: the pipeline stops without rolling back', () => {
    const halting = promotionSchema.parse({ stages: [{ env: 'dev' }], on_failure: 'halt' });
    const s = advance(rec({ stages: [{ env: 'dev', state: 'rolling', rolloutId: 'up-1' }] }), halting, obs(1, { rollout: { status: 'halted', reason: 'gate failed' } }));
    assert.equal(s.rec.status, 'failed');
    assert.equal(s.effects.length, 0);
    const rejected = advance(rec({ stage: 2, stages: [{ env: 'dev', state: 'done' }, { env: 'staging', state: 'done' }, { env: 'prod', state: 'awaiting-approval', approvalId: 'ap-x1234' }] }), cfg, obs(1, { approval: { status: 'rejected' } }));
    assert.equal(rejected.rec.status, 'failed');
    assert.match(rejected.rec.reason ?? '', /approval ap-x1234 rejected; nothing ran in prod/);
    const nothing = applyOutcome(rec({ stages: [{ env: 'dev', state: 'rolling-back', rolloutId: 'up-1' }, { env: 'staging', state: 'pending' }, { env: 'prod', state: 'pending' }] }), { kind: 'start-rollback' }, { kind: 'empty', reason: 'dev-1: already runs 1.0' }, 5);
    assert.equal(nothing.status, 'failed');
  });

  it('a closed change window holds an automatic stage until it opens', () => {
    const r = rec({ stage: 1, stages: [{ env: 'dev', state: 'done' }, { env: 'staging', state: 'delaying', delayUntil: 0 }, { env: 'prod', state: 'pending' }] });
    const held = advance(r, cfg, obs(100, { window: { open: false, nextOpen: 100 + 30_000 } }));
    assert.equal(held.rec.stages[1]!.state, 'waiting-window');
    assert.equal(held.effects.length, 0);
    assert.equal(held.wakeInMs, 30_000, 'wakes when the window opens (sooner than the poll)');
    const again = advance(held.rec, cfg, obs(200, { window: { open: false, nextOpen: 100 + 30_000 } }));
    assert.equal(again.rec.history.length, held.rec.history.length, 'no new history line per poll while held');
    const open = advance(again.rec, cfg, obs(30_100));
    assert.deepEqual(open.effects, [{ kind: 'start-rollout' }]);
  });

  it('pause holds everything (and pauses the running rollout); abort stops it for good', () => {
    const r = rec({ stages: [{ env: 'dev', state: 'rolling', rolloutId: 'up-1' }, { env: 'staging', state: 'pending' }, { env: 'prod', state: 'pending' }] });
    const paused = advance(r, cfg, obs(10, { control: { action: 'pause', by: 'slack:T/U1', at: 10 } }));
    assert.equal(paused.rec.status, 'paused');
    assert.deepEqual(paused.effects, [{ kind: 'control-rollout', action: 'pause', rolloutId: 'up-1' }]);
    const still = advance(paused.rec, cfg, obs(20, { control: { action: 'pause', by: 'slack:T/U1', at: 10 }, rollout: { status: 'done' } }));
    assert.equal(still.rec.stages[0]!.state, 'rolling', 'nothing advances while paused');
    assert.equal(still.effects.length, 0, 'the same request is acted on once');
    const resumed = advance(still.rec, cfg, obs(30, { control: { action: 'resume', by: 'slack:T/U1', at: 30 }, rollout: { status: 'done' } }));
    assert.equal(resumed.rec.status, 'running');
    assert.equal(resumed.rec.stages[0]!.state, 'soaking');
    const aborted = advance(resumed.rec, cfg, obs(40, { control: { action: 'abort', by: 'slack:T/U3', at: 40 } }));
    assert.equal(aborted.rec.status, 'aborted');
    assert.equal(aborted.wakeInMs, undefined);
    const waiting = rec({ stage: 2, stages: [{ env: 'dev', state: 'done' }, { env: 'staging', state: 'done' }, { env: 'prod', state: 'awaiting-approval', approvalId: 'ap-x1234' }] });
    assert.deepEqual(advance(waiting, cfg, obs(1, { control: { action: 'abort', by: 'u', at: 1 } })).effects, [{ kind: 'withdraw-approval', approvalId: 'ap-x1234' }]);
  });

  it('stops when the fleet file changed the stages under it', () => {
    const changed = promotionSchema.parse({ stages: [{ env: 'qa' }] });
    const s = advance(rec(), changed, obs(1));
    assert.equal(s.rec.status, 'failed');
    assert.match(s.rec.reason ?? '', /stages changed/);
  });
});
