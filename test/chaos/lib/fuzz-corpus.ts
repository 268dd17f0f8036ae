// Seeded random and mutated command input for chaos item 5: realistic chat lines (bench/command-corpus)
// mutated at the character and word level, plus raw bytes, random Unicode, quote and flag soup, and
// lines at the length limits. The same seed gives the same input on every run.
import { VERBS } from '../../../src/command/grammar.ts';
import { commandCorpus, prng } from '../../../bench/command-corpus.ts';

const META = [';', '|', '&', '&&', '$(', ')', '`', '"', "'", '\n', '\r\n', '\t', '../', '/', '\\', '*', '>', '<', '{', '}', '$', '=', '-', '--', '-e', ',', '%',
  '\u201c', '\u201d', '\u2018', '\u2019', '\u0000', '\u007f', '\u202e', '\u200b', '\u00a0', '🔥', 'é', 'İ', 'ß', '\ud800', '\udfff', '<@U1>', '<!channel>', '*bold*', '```'];
const WORDS = [...VERBS, 'eth-devnet', 'ltc-regtest', 'eth-1', 'ltc-1', 'prod', 'dev', '7.10.0', 'v1.2.3', 'ap-000001', 'up-abcd12', '--env', '--env=prod',
  '--reason', '--for', '--waves', '--count', '--limit', '--dry-run', '--dry-run=false', '--', '90m', '1,25%,100%', 'status', 'abort', 'log', '"two words"'];
const ACTIONS = ['approve', 'reject', 'cancel', 'ack', 'rollout-abort', 'rollout-pause', 'rollout-resume', 'rollout-rollback', 'health-check', 'nope', '', 'APPROVE', 'approve '];

export type FuzzInput = { kind: 'command'; text: string } | { kind: 'action'; actionId: string; value: string };

export function fuzzCorpus(count: number, seed = 0xf022): FuzzInput[] {
  const r = prng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const realistic = commandCorpus(Math.ceil(count / 2), seed ^ 0x9e37);
  const unicode = () => {
    let s = '';
    for (let n = int(80); n > 0; n--) {
      const band = int(4);
      const cp = band === 0 ? int(0x80) : band === 1 ? int(0x800) : band === 2 ? int(0x10000) : 0x10000 + int(0x100000 - 0x10000);
      s += cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp);
    }
    return s;
  };
  const bytes = () => Array.from({ length: int(200) }, () => String.fromCharCode(int(256))).join('');
  const mutate = (base: string) => {
    let s = base;
    for (let n = 1 + int(5); n > 0; n--) {
      const at = int(s.length + 1);
      switch (int(8)) {
        case 0: s = s.slice(0, at) + pick(META) + s.slice(at); break;
        case 1: s = s.slice(0, at) + s.slice(at + 1 + int(4)); break;
        case 2: if (at + 1 < s.length) s = s.slice(0, at) + s[at + 1] + s[at] + s.slice(at + 2); break;
        case 3: s = `${s.slice(0, at)} ${pick(WORDS)} ${s.slice(at)}`; break;
        case 4: s = s.slice(0, at) + s.slice(at).toUpperCase(); break;
        case 5: s = s.slice(0, at) + String.fromCharCode(int(0x3000)) + s.slice(at); break;
        case 6: s = s + s; break;
        default: s = s.split(' ').reverse().join(' ');
      }
    }
    return s.length > 10_000 ? s.slice(0, 10_000) : s;
  };
  const out: FuzzInput[] = [];
  for (let i = 0; i < count; i++) {
    const base = realistic[i % realistic.length]!;
    let text: string;
    switch (int(14)) {
      case 0: text = bytes(); break;
      case 1: text = unicode(); break;
      case 2: case 3: case 4: text = mutate(base); break;
      case 5: case 6: text = base; break;
      case 7: text = Array.from({ length: int(8) }, () => pick(WORDS)).join(pick([' ', '  ', '\t', '\n'])); break;
      case 8: text = pick(['"', "'", '-', '--', ' ', '\u201c', '`', '\\', '$(']).repeat(int(3_000)); break;
      case 9: {
        const len = pick([1_999, 2_000, 2_001, 4_000, 40_001]);
        text = `${base} --reason ${'x'.repeat(len)}`.slice(0, len);
        break;
      }
      case 10: text = `${pick(VERBS)} ${Array.from({ length: int(5) }, () => pick(META) + pick(WORDS) + pick(META)).join(' ')}`; break;
      case 11: text = `${pick(['', '/chainops ', '!chainops ', '<@U1> ', '<@!9> ', '/chainops /chainops ', '<@U1|chainops> '])}${pick(VERBS)} ${Array.from({ length: int(6) }, () => pick(WORDS)).join(' ')}`; break;
      case 12: out.push({ kind: 'action', actionId: pick(ACTIONS), value: int(2) ? mutate(pick(WORDS)) : pick(WORDS) }); continue;
      default: text = pick(['', ' ', '\n', '/chainops', '!chainops', '<@U1>', 'help', 'HELP', 'help help help', '?', '/', '--help', '-h']);
    }
    out.push({ kind: 'command', text });
  }
  return out;
}
