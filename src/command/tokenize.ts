/**
 * Split a command line into words. Double or single quotes group words (`--reason "disk swap"`);
 * smart quotes from phones count as quotes. Returns an error for an unclosed quote.
 */
export function tokenize(line: string): { ok: true; words: string[] } | { ok: false; message: string } {
  const text = line.replace(/[\u201C\u201D]/g, '"').replace(/[\u2018\u2019]/g, "'");
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: string | null = null;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
      else cur += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (quote) return { ok: false, message: `a ${quote} quote is not closed — close it or drop it` };
  if (inWord) words.push(cur);
  return { ok: true, words };
}
