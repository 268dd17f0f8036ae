// npm run bench:parse — parseCommand against a floor of tokenize + verb lookup, on the same
// 100 000 seeded command lines in the same run. Prints ns/command and the ratio; asserts nothing.
import { VERBS } from '../src/command/grammar.ts';
import { parseCommand } from '../src/command/parse.ts';
import { tokenize } from '../src/command/tokenize.ts';
import { median } from './bench-stats.ts';
import { commandCorpus } from './command-corpus.ts';

const COUNT = 100_000;
const ROUNDS = 7;
const verbs = new Set<string>(VERBS);
// The floor skips a chat prefix word the cheap way; parseCommand strips it with its full pattern.
const PREFIX_WORD = /^(?:[/!@]?chainops|<@[^>]*>)$/i;

/** The least a command parser must do: split into words and find the verb. */
function floor(line: string): boolean {
  const t = tokenize(line);
  if (!t.ok) return false;
  const first = t.words[0] ?? '';
  const verb = PREFIX_WORD.test(first) ? t.words[1] : first;
  return verb !== undefined && verbs.has(verb.toLowerCase());
}

const full = (line: string) => parseCommand(line).ok;

function run(lines: readonly string[], fn: (line: string) => boolean): { ns: number; ok: number } {
  let ok = 0; // counted so the work cannot be optimised away
  const start = process.hrtime.bigint();
  for (const line of lines) if (fn(line)) ok++;
  return { ns: Number(process.hrtime.bigint() - start) / lines.length, ok };
}

const lines = commandCorpus(COUNT);
run(lines, full); // warm-up
run(lines, floor);
const ours: number[] = [];
const base: number[] = [];
let accepted = 0;
let verbFound = 0;
for (let i = 0; i < ROUNDS; i++) {
  const a = run(lines, full); // interleaved, so drift on the machine hits both alike
  const b = run(lines, floor);
  ours.push(a.ns);
  base.push(b.ns);
  accepted = a.ok;
  verbFound = b.ok;
}

const oursNs = median(ours);
const baseNs = median(base);
console.log(`${COUNT} command lines (seeded): ${accepted} parse as valid commands, ${verbFound} have a known verb; median of ${ROUNDS} rounds`);
console.log(`  parseCommand               ${oursNs.toFixed(0).padStart(6)} ns/command  (${(1e9 / oursNs / 1e3).toFixed(0)} k commands/s)`);
console.log(`  tokenize + verb lookup     ${baseNs.toFixed(0).padStart(6)} ns/command  (${(1e9 / baseNs / 1e3).toFixed(0)} k commands/s)`);
console.log(`  ratio parseCommand / floor ${(oursNs / baseNs).toFixed(2)}×`);
