import { createHash } from 'node:crypto';

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Seed of stage `i`'s rollout: the same on every retry of every tick, so it can only start once. */
export function stageSeed(promotionId: string, stage: number): string {
  return `promotion:${promotionId}:${stage}`;
}

/** The job (and rollout) id `startChangeJob` gives a change started with `idSeed` (its own rule, repeated here). */
export function changeJobId(prefix: 'up' | 'rb', idSeed: string): string {
  return `${prefix}-${sha(idSeed).slice(0, 10)}`;
}

/** The short id part of a stage's approval (`ap-<this>`) for what (`rollout` or `rollback`). */
export function stageApprovalPart(seed: string, what: 'rollout' | 'rollback'): string {
  return sha(`${seed}:${what}:approval`).slice(0, 10);
}

/** A promotion id from a seed (a chat delivery id: a retried delivery finds the same promotion). */
export function promotionIdFrom(seed: string): string {
  return `pr-${sha(seed).slice(0, 10)}`;
}

/** BullMQ job id of a promotion's tick `n` (ids may not contain `:`). */
export function tickJobId(promotionId: string, n: number): string {
  return `pt-${promotionId.replace(/^pr-/, '')}-${n}`;
}
