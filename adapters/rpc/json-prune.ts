/**
 * Leave out the arrays under `keys` while an answer's bytes are decoded, so values nobody reads are
 * never turned into strings and objects: a mainnet block's `transactions` (hundreds of hashes) and
 * `withdrawals` are most of an `eth_getBlockByNumber` answer and most of a sweep's garbage. Only flat
 * arrays are emptied (no `[` inside: hashes, or objects of scalars); anything else is kept whole. The
 * search runs on the bytes (native `indexOf`); cuts fall on ASCII brackets, so never inside a UTF-8
 * character. The text may not be valid JSON when a string inside such an array holds a `]`: callers
 * parse the whole answer then (`parsePruned`).
 */
export function prunedText(bytes: Buffer, keys: readonly string[]): string {
  // One pass over the array openings (memchr-fast `indexOf` of one byte): each `[` is checked for a
  // `"key":` in front of it, and a cut array is stepped over rather than searched through.
  let out = '';
  let pos = 0;
  let from = 0;
  for (;;) {
    const open = bytes.indexOf(0x5b /* [ */, from);
    if (open < 0) break;
    from = open + 1;
    const key = keyBefore(bytes, open);
    if (key === undefined || !keys.includes(key)) continue;
    const close = bytes.indexOf(0x5d /* ] */, open + 1);
    if (close < 0) break;
    const nested = bytes.indexOf(0x5b, open + 1);
    if (nested >= 0 && nested < close) continue; // arrays inside: keep it whole
    if (close > open + 1) {
      out += bytes.toString('utf8', pos, open + 1);
      pos = close;
    }
    from = close + 1;
  }
  return pos === 0 ? bytes.toString('utf8') : out + bytes.toString('utf8', pos);
}

/** The object key right before the `[` at `open` (`"key":[`, spaces allowed), if any. */
function keyBefore(bytes: Buffer, open: number): string | undefined {
  let i = open - 1;
  while (i >= 0 && isSpace(bytes[i])) i--;
  if (bytes[i] !== 0x3a /* : */) return undefined;
  i--;
  while (i >= 0 && isSpace(bytes[i])) i--;
  if (bytes[i] !== 0x22 /* " */) return undefined;
  const end = i;
  const start = bytes.lastIndexOf(0x22, end - 1);
  if (start < 0 || end - start > 64) return undefined;
  return bytes.toString('latin1', start + 1, end);
}

/** JSON.parse of the answer with the arrays under `keys` left out (see `prunedText`). */
export function parsePruned(bytes: Buffer, keys: readonly string[] | undefined): unknown {
  if (keys?.length) {
    try {
      return JSON.parse(prunedText(bytes, keys));
    } catch {
      // A "]" inside a string of such an array, or not JSON at all: judge the answer as it came.
    }
  }
  return JSON.parse(bytes.toString('utf8'));
}

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
