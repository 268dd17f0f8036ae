/** Spacing of checkpoint heights: nodes within this many blocks of each other share one. */
export const CHECKPOINT_STEP = 16;
/** A coarser grid, so nodes further apart (a minority chain that grew slower) still share a height. */
export const COARSE_STEP = 256;

/**
 * Heights whose block hash a checker reports besides its head: the two newest multiples of
 * `CHECKPOINT_STEP` at or below the head and the newest multiple of `COARSE_STEP`. Two nodes whose
 * heads are less than `CHECKPOINT_STEP` apart always share at least one, without any coordination
 * between checks. Newest first, no duplicates, never negative.
 */
export function checkpointHeights(head: number): number[] {
  if (!Number.isSafeInteger(head) || head < 0) return [];
  const fine = Math.floor(head / CHECKPOINT_STEP) * CHECKPOINT_STEP;
  const coarse = Math.floor(head / COARSE_STEP) * COARSE_STEP;
  const out = [fine, fine - CHECKPOINT_STEP, coarse].filter((h) => h >= 0 && h !== head);
  return [...new Set(out)].sort((a, b) => b - a);
}

/**
 * The one checkpoint an Ethereum check reads besides its head: the newest multiple of
 * `CHECKPOINT_STEP` at or below `head` (genesis on a young chain). A whole block comes back per
 * height, so one is what a sweep of thousands of nodes can afford; nodes whose heads straddle a
 * multiple share no height for that sweep and are simply not compared until they do.
 */
export function ethCheckpoint(head: number): number[] {
  if (!Number.isSafeInteger(head) || head < 0) return [];
  const fine = Math.floor(head / CHECKPOINT_STEP) * CHECKPOINT_STEP;
  return fine === head ? [] : [fine];
}
