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
  const cuts: Array<[number, number]> = [];
  for (const key of keys) {
    const needle = needleOf(key);
    let from = 0;
    for (;;) {
      const at = bytes.indexOf(needle, from);
      if (at < 0) break;
      let open = at + needle.length;
      while (isSpace(bytes[open])) open++;
      from = open;
      if (bytes[open] !== 0x5b /* [ */) continue;
      const close = bytes.indexOf(0x5d /* ] */, open + 1);
      if (close < 0) break;
      const nested = bytes.indexOf(0x5b, open + 1);
      from = close;
      if (nested >= 0 && nested < close) continue;
      if (close > open + 1) cuts.push([open + 1, close]);
    }
  }
  if (cuts.length === 0) return bytes.toString('utf8');
  cuts.sort((a, b) => a[0] - b[0]);
  let out = '';
  let pos = 0;
  for (const [start, end] of cuts) {
    if (start < pos) continue;
    out += bytes.toString('utf8', pos, start);
    pos = end;
  }
  return out + bytes.toString('utf8', pos);
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

const needles = new Map<string, Buffer>();
function needleOf(key: string): Buffer {
  let n = needles.get(key);
  if (!n) needles.set(key, (n = Buffer.from(`"${key}":`)));
  return n;
}

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
