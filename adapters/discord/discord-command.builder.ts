/**
 * The `/chainops` application command, GENERATED from the core's GRAMMAR (never written twice): each
 * verb is a subcommand, each argument and flag a typed option. Pure.
 */
import { GRAMMAR, type ArgSpec, type FlagSpec, type ValueKind, type VerbSpec } from '../../src/command/grammar.ts';
import { truncateEnd } from './discord-limits.ts';

/** Application command option types (https://discord.com/developers/docs/interactions/application-commands). */
export const OptionType = { Subcommand: 1, SubcommandGroup: 2, String: 3, Integer: 4, Boolean: 5 } as const;

/** Discord allows 25 subcommands: verbs past the 24th are subcommands of this group (`/chainops more chart …`). */
export const OVERFLOW_GROUP = 'more';

/** Kinds whose values come from the fleet, so Discord asks us (autocomplete) while the user types. */
export const AUTOCOMPLETE_KINDS = ['group', 'node', 'target', 'env', 'version'] as const;
export type AutocompleteKind = (typeof AUTOCOMPLETE_KINDS)[number];

export const COMMAND_NAME = 'chainops';
const NAME_MAX = 32;
const DESCRIPTION_MAX = 100;
const MAX_SUBCOMMANDS = 25;
const MAX_OPTIONS = 25;
const MAX_CHOICES = 25;

export interface CommandOption {
  type: number;
  name: string;
  description: string;
  required?: boolean;
  autocomplete?: boolean;
  choices?: Array<{ name: string; value: string }>;
  min_value?: number;
  max_value?: number;
  max_length?: number;
  options?: CommandOption[];
}

export interface ChatInputCommand {
  name: string;
  description: string;
  type: 1;
  /** Guild-only: roles (our identity source) exist only in guilds. */
  contexts: number[];
  integration_types: number[];
  options: CommandOption[];
}

/** Discord names: 1–32 lowercase letters, digits, `-` or `_`. Grammar names already fit; this guards new ones. */
export function optionName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_-]/g, '-').slice(0, NAME_MAX);
}

export function isAutocompleteKind(kind: ValueKind): kind is AutocompleteKind {
  return (AUTOCOMPLETE_KINDS as readonly string[]).includes(kind);
}

function valueOption(spec: ArgSpec | FlagSpec, required: boolean): CommandOption {
  const base = { name: optionName(spec.name), description: truncateEnd(spec.help, DESCRIPTION_MAX), required };
  switch (spec.kind) {
    case 'count':
      // Same range the parser accepts (src/command/values.ts), so Discord refuses bad numbers up front.
      return { ...base, type: OptionType.Integer, min_value: 1, max_value: 1000 };
    case 'bool':
      return { ...base, type: OptionType.Boolean };
    case 'choice':
      return {
        ...base,
        type: OptionType.String,
        choices: (spec.choices ?? []).slice(0, MAX_CHOICES).map((c) => ({ name: c, value: c })),
      };
    default:
      return { ...base, type: OptionType.String, max_length: 300, ...(isAutocompleteKind(spec.kind) ? { autocomplete: true } : {}) };
  }
}

function subcommand(spec: VerbSpec): CommandOption {
  const options = [
    ...spec.args.map((a) => valueOption(a, a.required)),
    ...spec.flags.map((f) => valueOption(f, false)),
  ];
  // Discord refuses required options after optional ones; the text rebuild follows the grammar order anyway.
  options.sort((a, b) => Number(b.required) - Number(a.required));
  const names = new Set(options.map((o) => o.name));
  if (names.size !== options.length) throw new Error(`grammar: ${spec.verb} has an argument and a flag with the same name`);
  if (options.length > MAX_OPTIONS) throw new Error(`grammar: ${spec.verb} has more than ${MAX_OPTIONS} options`);
  return {
    type: OptionType.Subcommand,
    name: optionName(spec.verb),
    description: truncateEnd(spec.summary, DESCRIPTION_MAX),
    options,
  };
}

/** The `/chainops` command, ready for the bulk-overwrite PUT. Throws if the grammar outgrows Discord's limits. */
export function buildChainopsCommand(grammar: readonly VerbSpec[] = GRAMMAR): ChatInputCommand {
  if (grammar.length > 2 * MAX_SUBCOMMANDS - 1) throw new Error(`grammar: ${grammar.length} verbs; Discord allows ${MAX_SUBCOMMANDS} subcommands and one overflow group`);
  const top = grammar.length > MAX_SUBCOMMANDS ? grammar.slice(0, MAX_SUBCOMMANDS - 1) : grammar;
  const rest = grammar.slice(top.length);
  const group: CommandOption[] = rest.length
    ? [{ type: OptionType.SubcommandGroup, name: OVERFLOW_GROUP, description: `more commands: ${rest.map((s) => s.verb).join(', ')}`, options: rest.map(subcommand) }]
    : [];
  return {
    name: COMMAND_NAME,
    description: 'Run your blockchain node fleet: status, health, upgrades, approvals, alerts',
    type: 1,
    contexts: [0],
    integration_types: [0],
    options: [...top.map(subcommand), ...group],
  };
}

/** The grammar spec behind a subcommand option, so incoming options map back to kinds and order. */
export function specForOption(verb: string, option: string): { spec: VerbSpec; kind?: ValueKind; isFlag: boolean } | undefined {
  const spec = GRAMMAR.find((s) => optionName(s.verb) === verb);
  if (!spec) return undefined;
  const arg = spec.args.find((a) => optionName(a.name) === option);
  if (arg) return { spec, kind: arg.kind, isFlag: false };
  const flag = spec.flags.find((f) => optionName(f.name) === option);
  return { spec, ...(flag ? { kind: flag.kind } : {}), isFlag: Boolean(flag) };
}
