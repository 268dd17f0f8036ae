// Command lines derived from the grammar, so every verb (and every sub-action of a choice argument,
// such as `rollout abort`) is exercised by the abuse tests without anyone listing it by hand: a verb
// added to src/command/grammar.ts shows up here on its own.
import { GRAMMAR, type ArgSpec, type FlagSpec, type ValueKind, type Verb, type VerbSpec } from '../../../src/command/grammar.ts';

/** One way to call a verb: `upgrade`, or `rollout abort` for each choice of a required choice argument. */
export interface CommandForm {
  /** `verb` or `verb choice`. */
  name: string;
  verb: Verb;
  spec: VerbSpec;
  /** The value picked for the required choice argument, if the verb has one. */
  choice?: string;
}

/** Where a sample command points: an environment with one group and one node of it. */
export interface Place {
  env: string;
  group: string;
  node: string;
}

/**
 * Every form of every verb in the grammar: a verb whose arguments include a choice (`rollout
 * <status|pause|…>`, `sync [preview|apply]`, `job <id> [log]`) gives one form per choice, plus the
 * bare verb when the choice is optional — sub-actions may need different roles.
 */
export function commandForms(): CommandForm[] {
  return GRAMMAR.flatMap((spec): CommandForm[] => {
    const choiceArg = spec.args.find((a) => a.kind === 'choice');
    if (!choiceArg?.choices) return [{ name: spec.verb, verb: spec.verb, spec }];
    const forms = choiceArg.choices.map((choice): CommandForm => ({ name: `${spec.verb} ${choice}`, verb: spec.verb, spec, choice }));
    return choiceArg.required ? forms : [{ name: spec.verb, verb: spec.verb, spec }, ...forms];
  });
}

/** A valid sample value for a slot of this kind, pointing at `place`. */
export function sampleValue(kind: ValueKind, place: Place, slot: ArgSpec | FlagSpec, form: CommandForm): string {
  switch (kind) {
    case 'node': return place.node;
    case 'group': case 'target': return place.group;
    case 'env': return place.env;
    case 'version': return '9.9.9';
    case 'id': return form.verb === 'approve' || form.verb === 'reject' ? 'ap-zzzz9' : form.verb === 'ack' ? 'al-zzzz9' : 'up-zzzz9';
    case 'count': return '1';
    case 'duration': return '1h';
    case 'waves': return '1,100%';
    case 'text': return 'matrix';
    case 'bool': return 'true';
    case 'choice': return form.choice ?? slot.choices?.[0] ?? '';
  }
}

/**
 * A valid command line for `form` pointing at `place`: every required argument filled, plus
 * `--env` when the verb takes it (so the environment is part of every command that can name one).
 */
export function sampleLine(form: CommandForm, place: Place): string {
  const words = [form.verb as string];
  // Positional: fill every argument up to the form's choice (optional ones too), then the required rest.
  const upTo = form.choice === undefined ? -1 : form.spec.args.findIndex((a) => a.kind === 'choice');
  form.spec.args.forEach((a, i) => {
    if (a.required || i <= upTo) words.push(sampleValue(a.kind, place, a, form));
  });
  const env = form.spec.flags.find((f) => f.kind === 'env');
  if (env) words.push(`--${env.name}`, place.env);
  return words.join(' ');
}

/**
 * The same line with the slot `slotName` replaced by `raw` (quoted so it stays one word), for
 * injection tests; flags are appended as `--name=<raw>` so a value starting with `-` still binds.
 */
export function lineWith(form: CommandForm, place: Place, slotName: string, raw: string): string {
  const quoted = quoteRaw(raw);
  const words = [form.verb as string];
  for (const a of form.spec.args) {
    if (a.name === slotName) words.push(quoted);
    else if (a.required) words.push(sampleValue(a.kind, place, a, form));
  }
  const flag = form.spec.flags.find((f) => f.name === slotName);
  if (flag) words.push(`--${flag.name}=${quoted}`);
  return words.join(' ');
}

/** Quote a raw value for the tokenizer (no escapes: `"` goes inside '…', the rest inside "…"). */
export function quoteRaw(s: string): string {
  if (s === '') return '""';
  return s.split(/("+)/).filter((p) => p !== '').map((p) => (p.startsWith('"') ? `'${p}'` : `"${p}"`)).join('');
}

/** Every named slot (argument or flag) of a spec with its kind. */
export function slotsOf(spec: VerbSpec): Array<{ name: string; kind: ValueKind; flag: boolean }> {
  return [
    ...spec.args.map((a) => ({ name: a.name, kind: a.kind, flag: false })),
    ...spec.flags.map((f) => ({ name: f.name, kind: f.kind, flag: true })),
  ];
}
