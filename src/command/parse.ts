import { GRAMMAR, VERBS, specOf, usageOf, type Verb, type VerbSpec } from './grammar.ts';
import type { Command, CommandValues, ParseResult } from './command.types.ts';
import { tokenize } from './tokenize.ts';
import { closest } from './suggest.ts';
import { checkValue } from './values.ts';

const MAX_LINE = 2000;
const PREFIX_RE = /^(?:\/chainops|!chainops|chainops|@chainops|<@[A-Z0-9]+(?:\|[^>]*)?>|<@!?\d+>)(?:\s+|$)/i;

/** Drop the `/chainops`, `!chainops` or `@ChainOps` mention so every adapter can pass raw text. */
export function stripPrefix(text: string): string {
  let t = text.trim();
  for (let i = 0; i < 2 && PREFIX_RE.test(t); i++) t = t.replace(PREFIX_RE, '').trim();
  return t;
}

/** Names the fleet knows, so a refusal can suggest the closest one (`--env Prod` → `prod`). */
export interface NameHints {
  env?: readonly string[];
  group?: readonly string[];
  node?: readonly string[];
}

/** Parse one command line into a validated Command, or a friendly refusal. Never throws. */
export function parseCommand(text: string, hints: NameHints = {}): ParseResult {
  if (typeof text !== 'string') return { ok: false, message: 'send a command as text, e.g. `/chainops status`' };
  if (text.length > MAX_LINE) return { ok: false, message: `that command is ${text.length} characters long; keep it under ${MAX_LINE}` };
  const tokens = tokenize(stripPrefix(text));
  if (!tokens.ok) return { ok: false, message: tokens.message };
  const [first, ...rest] = tokens.words;
  if (first === undefined) return { ok: true, command: { verb: 'help', values: {}, canonical: '/chainops help' } };
  const verbWord = first.toLowerCase();
  // `forks` is `status forks`: Discord allows 25 subcommands and /chainops already has 25 verbs.
  if (verbWord === 'forks') return parseArgs(specOf('status'), ['forks', ...rest], hints);
  // `releases <group>` lists one group: the action word is optional before a group name.
  if (verbWord === 'releases' && rest[0] !== undefined && !rest[0].startsWith('--') && !['list', 'ignore'].includes(rest[0].toLowerCase())) {
    return parseArgs(specOf('releases'), ['list', ...rest], hints);
  }
  if (!(VERBS as readonly string[]).includes(verbWord)) {
    const shown = printable(first);
    // `rollback` alone is a rollout action: point at the command that has it.
    const owner = GRAMMAR.find((g) => g.args[0]?.kind === 'choice' && g.args[0].choices?.includes(verbWord));
    if (owner) {
      const suggestion = `${owner.verb} ${verbWord}`;
      return { ok: false, message: `\`${shown}\` is not a ChainOps command — did you mean \`${suggestion}\`? Usage: \`${usageOf(owner)}\``, suggestion };
    }
    const suggestion = closest(verbWord, VERBS);
    return {
      ok: false,
      message: suggestion
        ? `\`${shown}\` is not a ChainOps command — did you mean \`${suggestion}\`? Usage: \`${usageOf(specOf(suggestion as Verb))}\``
        : `\`${shown}\` is not a ChainOps command — type \`/chainops help\` to see what you can run.`,
      ...(suggestion ? { suggestion } : {}),
    };
  }
  return parseArgs(specOf(verbWord as Verb), rest, hints);
}

function parseArgs(spec: VerbSpec, words: string[], hints: NameHints): ParseResult {
  const usage = usageOf(spec);
  const fail = (message: string, suggestion?: string): ParseResult => ({
    ok: false,
    verb: spec.verb,
    usage,
    message: `${message}${/[.?!]$/.test(message) ? '' : '.'} Usage: \`${usage}\``,
    ...(suggestion ? { suggestion } : {}),
  });
  const values: CommandValues = {};
  const positional: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (!word.startsWith('--') || word === '--') {
      positional.push(word);
      continue;
    }
    const eq = word.indexOf('=');
    const name = (eq > 0 ? word.slice(2, eq) : word.slice(2)).toLowerCase();
    const flag = spec.flags.find((f) => f.name === name);
    if (!flag) {
      const hint = closest(name, spec.flags.map((f) => f.name));
      return fail(`\`--${printable(name)}\` is not an option of \`${spec.verb}\`${hint ? ` — did you mean \`--${hint}\`?` : ''}`, hint);
    }
    if (values[flag.name] !== undefined) return fail(`\`--${flag.name}\` is given twice; give it once`);
    let raw: string | undefined = eq > 0 ? word.slice(eq + 1) : undefined;
    if (raw === undefined && flag.kind === 'bool') raw = 'true';
    if (raw === undefined) {
      raw = words[i + 1];
      if (raw === undefined || raw.startsWith('--')) return fail(`\`--${flag.name}\` needs a value (${flag.help})`);
      i++;
    }
    const checked = checkValue(flag.kind, raw, flag.choices);
    if (!checked.ok) {
      const hint = hintFor(flag.kind, raw, hints);
      return fail(`\`--${flag.name} ${printable(raw)}\` is not valid: ${hint?.why ?? checked.why}${hint?.best ? ` — did you mean \`${hint.best}\`?` : ''}`, hint?.best);
    }
    values[flag.name] = checked.value;
  }
  if (positional.length > spec.args.length) {
    return fail(`too many arguments for \`${spec.verb}\` (\`${printable(positional.slice(spec.args.length).join(' '))}\`)`);
  }
  for (const [idx, arg] of spec.args.entries()) {
    const raw = positional[idx];
    if (raw === undefined) {
      if (arg.required) return fail(`\`${spec.verb}\` needs <${arg.name}> (${arg.help})`);
      continue;
    }
    const checked = checkValue(arg.kind, arg.kind === 'choice' ? raw.toLowerCase() : raw, arg.choices);
    if (!checked.ok) {
      const named = hintFor(arg.kind, raw, hints);
      const hint = arg.choices ? closest(raw, arg.choices) : named?.best;
      return fail(`<${arg.name}> \`${printable(raw)}\` is not valid: ${named?.why ?? checked.why}${hint ? ` — did you mean \`${hint}\`?` : ''}`, hint);
    }
    values[arg.name] = checked.value;
  }
  return { ok: true, command: { verb: spec.verb, values, canonical: canonical(spec, values) } };
}

/** For a fleet name that failed its pattern: the names the fleet knows, and the closest one. */
function hintFor(kind: string, raw: string, hints: NameHints): { why: string; best?: string } | undefined {
  const known = kind === 'env' ? hints.env : kind === 'group' ? hints.group : kind === 'node' ? hints.node : kind === 'target' ? [...(hints.group ?? []), ...(hints.node ?? [])] : undefined;
  if (!known?.length) return undefined;
  const best = closest(raw.toLowerCase(), known);
  const list = known.length <= 8 ? known.join(', ') : `${known.slice(0, 8).join(', ')}, …`;
  return { why: `use one of ${list}`, ...(best ? { best } : {}) };
}

/** Rebuild the command text from validated values only (safe to show and to log). */
export function canonical(spec: VerbSpec, values: CommandValues): string {
  const parts = ['/chainops', spec.verb];
  for (const a of spec.args) if (values[a.name] !== undefined) parts.push(show(values[a.name]!, a.kind === 'duration'));
  for (const f of spec.flags) {
    const v = values[f.name];
    if (v === undefined || v === false) continue;
    const shown = v === true ? '' : show(v, f.kind === 'duration');
    // A value that looks like a flag (given as `--reason=--x`) must stay attached to its flag.
    parts.push(v === true ? `--${f.name}` : shown.startsWith('--') ? `--${f.name}=${shown}` : `--${f.name} ${shown}`);
  }
  return parts.join(' ');
}

function show(v: string | number | boolean, isDuration: boolean): string {
  if (isDuration && typeof v === 'number') return formatDuration(v);
  return quoteWord(String(v));
}

/**
 * Quote a value so `tokenize` reads it back as exactly one word. The tokenizer has no escapes
 * (JSON.stringify's `\"` and `\\` would come back changed), so a `"` goes inside '…' and
 * everything else inside "…", as adjacent pieces of the same word.
 */
function quoteWord(s: string): string {
  if (s !== '' && !/[\s"'\u2018\u2019\u201C\u201D]/.test(s)) return s;
  if (s === '') return '""';
  return s.split(/("+)/).filter((p) => p !== '').map((p) => (p.startsWith('"') ? `'${p}'` : `"${p}"`)).join('');
}

/** 5400000 → `90m`, 7200000 → `2h`. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** Echo user input back safely: no backticks or control characters, and short. */
function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[`\u0000-\u001f\u007f]/g, '?');
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
}

export { GRAMMAR };
