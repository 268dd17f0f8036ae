import type { ApprovalStatus } from '../approval/approval.ts';
import type { RolloutStatus } from '../rollout/rollout.record.ts';
import { changeJobId } from './promotion-ids.ts';
import { humanMs, pickDelay } from './promotion-durations.ts';
import type { PromotionConfig } from './promotion.schema.ts';
import { HISTORY_CAP, PROMOTION_TERMINAL, type PromotionControl, type PromotionRecord, type StageRecord } from './promotion.record.ts';

/** What a tick saw before deciding: read by the processor, so the decision itself is pure. */
export interface Observations {
  now: number;
  /** The latest control request (acted on only when newer than `controlSeen`). */
  control?: PromotionControl | undefined;
  /** The current stage's environment's change windows now. */
  window: { open: boolean; nextOpen?: number };
  /** The approval the current stage waits for (its rollout's, or its rollback's). */
  approval?: { status: ApprovalStatus } | undefined;
  rollout?: { status: RolloutStatus; reason?: string | undefined } | undefined;
  rollback?: { status: RolloutStatus; reason?: string | undefined } | undefined;
  /** Firing alerts of the current stage's nodes that its `fail_on` names (all kinds when unset). */
  alerts: Array<{ id: string; rule: string; node?: string | undefined; summary: string }>;
}

/** Side effects a tick asks for; the processor performs them (idempotently) and reports the outcome. */
export type Effect =
  | { kind: 'start-rollout' }
  | { kind: 'start-rollback' }
  | { kind: 'control-rollout'; action: 'pause' | 'resume' | 'abort'; rolloutId: string }
  | { kind: 'withdraw-approval'; approvalId: string };

export type Outcome =
  | { kind: 'started'; rolloutId: string }
  | { kind: 'approval'; approvalId: string }
  | { kind: 'empty'; reason: string }
  | { kind: 'blocked'; reason: string };

export interface Step {
  rec: PromotionRecord;
  effects: Effect[];
  /** When to look again (ms from now); undefined once the promotion ended. */
  wakeInMs: number | undefined;
}

const FAILED_ROLLOUT: ReadonlySet<RolloutStatus> = new Set(['halted', 'failed', 'aborted', 'rolled-back']);

/**
 * One tick of a promotion: apply a new control request, then move the current stage on as far as
 * what was observed allows. Never performs anything itself: starting a rollout or a rollback is an
 * effect whose outcome `applyOutcome` records.
 */
export function advance(rec: PromotionRecord, cfg: PromotionConfig, obs: Observations): Step {
  const r = structuredClone(rec);
  const now = obs.now;
  const effects: Effect[] = [];
  const note = (text: string) => addHistory(r, now, text);
  const wait = (untilMs?: number): Step => ({ rec: r, effects, wakeInMs: Math.max(0, Math.min(cfg.poll, untilMs === undefined ? cfg.poll : untilMs - now)) });
  const end = (): Step => ({ rec: r, effects, wakeInMs: undefined });
  if (PROMOTION_TERMINAL.has(r.status)) return end();

  const ctl = obs.control;
  if (ctl && ctl.at > (r.controlSeen ?? 0)) {
    r.controlSeen = ctl.at;
    const s = r.stages[r.stage]!;
    if (ctl.action === 'abort') {
      r.status = 'aborted';
      r.endedAt = now;
      r.reason = `aborted by ${ctl.by}`;
      if (s.state === 'rolling' && s.rolloutId) effects.push({ kind: 'control-rollout', action: 'abort', rolloutId: s.rolloutId });
      if (s.state === 'awaiting-approval' && s.approvalId) effects.push({ kind: 'withdraw-approval', approvalId: s.approvalId });
      // A rollback under way keeps going: it restores the previous version, the safe direction.
      if (s.state !== 'rolling-back') settle(s, 'aborted', now, `aborted by ${ctl.by}`);
      note(`aborted by ${ctl.by}${s.state === 'aborted' && s.rolloutId && effects.length ? `; ${s.rolloutId} stops at its next node boundary` : ''}`);
      return end();
    }
    if (ctl.action === 'pause' && r.status === 'running') {
      r.status = 'paused';
      note(`paused by ${ctl.by}`);
      if (s.state === 'rolling' && s.rolloutId) effects.push({ kind: 'control-rollout', action: 'pause', rolloutId: s.rolloutId });
    } else if (ctl.action === 'resume') {
      if (r.status === 'paused') {
        r.status = 'running';
        note(`resumed by ${ctl.by}`);
        if (s.state === 'rolling' && s.rolloutId) effects.push({ kind: 'control-rollout', action: 'resume', rolloutId: s.rolloutId });
      }
      if (s.state === 'waiting-resume') {
        s.released = true;
        s.state = 'pending';
        delete s.detail;
        note(`${s.env}: released by ${ctl.by}`);
      }
    }
  }
  if (r.status === 'paused') return wait();

  const fail = (s: StageRecord, why: string): Step => {
    settle(s, 'failed', now, why);
    r.reason = `${s.env}: ${why}`;
    note(`${s.env}: failed — ${why}`);
    if (cfg.on_failure === 'rollback' && s.rolloutId) {
      s.state = 'rolling-back';
      delete s.endedAt;
      effects.push({ kind: 'start-rollback' });
      return wait();
    }
    r.status = 'failed';
    r.endedAt = now;
    return end();
  };

  for (let guard = 0; guard < 8; guard++) {
    const s = r.stages[r.stage]!;
    const c = cfg.stages[r.stage];
    if (!c || c.env !== s.env) {
      // The fleet file changed the stages under a running promotion: stop rather than guess.
      settle(s, 'failed', now, 'the promotion stages in the fleet file changed');
      r.status = 'failed';
      r.endedAt = now;
      r.reason = `the group's promotion stages changed while it ran (stage ${r.stage + 1} is no longer ${s.env}) — start a new promotion`;
      note(r.reason);
      return end();
    }
    switch (s.state) {
      case 'pending': {
        // `promotion start` typed by a person is the go for the first stage; a release-started one waits too.
        const go = c.auto || s.released || (r.stage === 0 && r.via === 'manual');
        if (!go) {
          s.state = 'waiting-resume';
          s.detail = `waiting for \`/chainops promotion resume ${r.group}\` (auto: false)`;
          note(`${s.env}: ${s.detail}`);
          return wait();
        }
        s.startedAt = now;
        const delay = pickDelay(c.delay, `${r.id}:${r.stage}`);
        s.delayUntil = now + delay;
        s.state = 'delaying';
        if (delay > 0) note(`${s.env}: starts in ${humanMs(delay)} (delay ${humanMs(c.delay.minMs)}–${humanMs(c.delay.maxMs)})`);
        continue;
      }
      case 'waiting-resume':
        return wait();
      case 'delaying':
      case 'waiting-window':
      case 'blocked': {
        if (now < (s.delayUntil ?? 0)) return wait(s.delayUntil);
        if (!obs.window.open) {
          if (s.state !== 'waiting-window') {
            s.state = 'waiting-window';
            s.detail = `change window closed${obs.window.nextOpen ? `; opens ${new Date(obs.window.nextOpen).toISOString().slice(0, 16).replace('T', ' ')} UTC` : ''}`;
            note(`${s.env}: ${s.detail}`);
          }
          return wait(obs.window.nextOpen);
        }
        effects.push({ kind: 'start-rollout' });
        return wait();
      }
      case 'awaiting-approval': {
        const a = obs.approval;
        if (!a) return fail(s, `approval ${s.approvalId} is gone`);
        if (a.status === 'approved') {
          s.state = 'rolling';
          s.rolloutId = changeJobId('up', s.approvalId!);
          delete s.detail;
          note(`${s.env}: ${s.approvalId} approved; rollout ${s.rolloutId}`);
          continue;
        }
        if (a.status === 'pending') return wait();
        settle(s, 'failed', now, `approval ${s.approvalId} ${a.status}`);
        r.status = 'failed';
        r.endedAt = now;
        r.reason = `${s.env}: approval ${s.approvalId} ${a.status}; nothing ran in ${s.env}`;
        note(r.reason);
        return end();
      }
      case 'rolling': {
        const ro = obs.rollout;
        if (!ro) return wait(); // queued: its record appears when a worker starts it
        if (ro.status === 'done') {
          s.soakUntil = now + c.soak;
          s.state = 'soaking';
          note(`${s.env}: rollout ${s.rolloutId} done${c.soak ? `; soaking ${humanMs(c.soak)}` : ''}`);
          continue;
        }
        if (FAILED_ROLLOUT.has(ro.status)) return fail(s, `rollout ${s.rolloutId} ${ro.status}${ro.reason ? `: ${ro.reason}` : ''}`);
        return wait();
      }
      case 'soaking': {
        const hit = obs.alerts[0];
        if (hit) return fail(s, `alert ${hit.rule}${hit.node ? ` on ${hit.node}` : ''} (${hit.id}) fired during the soak: ${hit.summary}`);
        if (now < (s.soakUntil ?? 0)) return wait(s.soakUntil);
        settle(s, 'done', now);
        note(`${s.env}: done`);
        // What was observed (window, approval, rollout) is about this stage: the next is looked at afresh, now.
        if (nextStage(r, now)) return { rec: r, effects, wakeInMs: 0 };
        return end();
      }
      case 'rolling-back': {
        if (s.rollbackApprovalId && !s.rollbackId) {
          const a = obs.approval;
          if (a?.status === 'approved') {
            s.rollbackId = changeJobId('rb', s.rollbackApprovalId);
            note(`${s.env}: rollback ${s.rollbackApprovalId} approved; ${s.rollbackId}`);
            continue;
          }
          if (a?.status === 'pending') return wait();
          return finishRollback(r, s, now, 'failed', `rollback approval ${s.rollbackApprovalId} ${a?.status ?? 'gone'} — the stage keeps ${r.version}`);
        }
        if (!s.rollbackId) {
          effects.push({ kind: 'start-rollback' });
          return wait();
        }
        const rb = obs.rollback;
        if (!rb) return wait();
        if (rb.status === 'done') return finishRollback(r, s, now, 'rolled-back', `rolled back by ${s.rollbackId}`);
        if (FAILED_ROLLOUT.has(rb.status)) return finishRollback(r, s, now, 'failed', `rollback ${s.rollbackId} ${rb.status}${rb.reason ? `: ${rb.reason}` : ''}`);
        return wait();
      }
      default:
        return end();
    }
  }
  return wait();
}

/** Record what starting a stage's rollout (or its rollback) came to. */
export function applyOutcome(rec: PromotionRecord, effect: Effect, outcome: Outcome, now: number): PromotionRecord {
  const r = structuredClone(rec);
  const s = r.stages[r.stage]!;
  const note = (text: string) => addHistory(r, now, text);
  if (effect.kind === 'start-rollout') {
    if (outcome.kind === 'started') {
      s.state = 'rolling';
      s.rolloutId = outcome.rolloutId;
      delete s.detail;
      note(`${s.env}: rollout ${outcome.rolloutId} started`);
    } else if (outcome.kind === 'approval') {
      s.state = 'awaiting-approval';
      s.approvalId = outcome.approvalId;
      s.detail = `waiting for approval ${outcome.approvalId}`;
      note(`${s.env}: ${s.detail}`);
    } else if (outcome.kind === 'empty') {
      settle(s, 'done', now, outcome.reason);
      note(`${s.env}: nothing to do — ${outcome.reason}`);
      nextStage(r, now);
    } else if (s.detail !== outcome.reason) {
      s.state = 'blocked';
      s.detail = outcome.reason;
      note(`${s.env}: waiting — ${outcome.reason}`);
    }
  } else if (effect.kind === 'start-rollback') {
    if (outcome.kind === 'started') {
      s.rollbackId = outcome.rolloutId;
      note(`${s.env}: rollback ${outcome.rolloutId} started`);
    } else if (outcome.kind === 'approval') {
      s.rollbackApprovalId = outcome.approvalId;
      note(`${s.env}: rollback waits for approval ${outcome.approvalId}`);
    } else if (outcome.kind === 'empty') {
      finishRollback(r, s, now, 'failed', `nothing to roll back: ${outcome.reason}`);
    } else if (s.detail !== outcome.reason) {
      s.detail = outcome.reason;
      note(`${s.env}: rollback waits — ${outcome.reason}`);
    }
  }
  return r;
}

/** Move to the next stage; false (and the promotion done) after the last. */
function nextStage(r: PromotionRecord, now: number): boolean {
  if (r.stage + 1 < r.stages.length) {
    r.stage += 1;
    return true;
  }
  r.status = 'done';
  r.endedAt = now;
  addHistory(r, now, `${r.version} is promoted through ${r.stages.map((s) => s.env).join(' → ')}`);
  return false;
}

function finishRollback(r: PromotionRecord, s: StageRecord, now: number, how: 'rolled-back' | 'failed', text: string): Step {
  s.state = how;
  s.endedAt = now;
  r.status = how;
  r.endedAt = now;
  r.reason = `${r.reason ?? s.env}; ${text}`;
  addHistory(r, now, `${s.env}: ${text}`);
  return { rec: r, effects: [], wakeInMs: undefined };
}

function settle(s: StageRecord, state: StageRecord['state'], now: number, detail?: string): void {
  s.state = state;
  s.endedAt = now;
  if (detail) s.detail = detail;
  else delete s.detail;
}

export function addHistory(r: PromotionRecord, at: number, text: string): void {
  r.history.push({ at, text });
  if (r.history.length > HISTORY_CAP) r.history.splice(0, r.history.length - HISTORY_CAP);
}
