/**
 * A chat-input interaction back into command text (`/chainops upgrade eth-main 1.14.3 --env prod`), so
 * the core's single parser validates Discord input exactly like Slack or console input. Pure.
 */
import { GRAMMAR } from '../../src/command/grammar.ts';
import { OptionType, optionName, specForOption } from './discord-command.builder.ts';
import type { InteractionOption } from './discord-interaction.schema.ts';

/** Quote a value so the core's tokenizer gives it back as one word. */
function quoted(raw: string): string {
  // The tokenizer reads smart quotes as plain ones; do the same here so the quoting below holds.
  const value = raw.replace(/[\u201C\u201D]/g, '"').replace(/[\u2018\u2019]/g, "'");
  if (value !== '' && !/[\s"']/.test(value)) return value;
  if (!value.includes('"')) return `"${value}"`;
  if (!value.includes("'")) return `'${value}'`;
  // Both kinds: the tokenizer has no escapes, so double quotes become single (free text only, e.g. a reason).
  return `"${value.replace(/"/g, "'")}"`;
}

/** The subcommand chosen, also inside the overflow group (`/chainops more chart`). */
function subcommandOf(options: InteractionOption[] | undefined): InteractionOption | undefined {
  const group = options?.find((o) => o.type === OptionType.SubcommandGroup);
  return (group ? group.options : options)?.find((o) => o.type === OptionType.Subcommand);
}

/** `/chainops <verb> <args in grammar order> --flag value …`. Unknown options are passed through for the parser to refuse. */
export function commandTextOf(options: InteractionOption[] | undefined): string {
  const sub = subcommandOf(options);
  if (!sub) return '/chainops';
  const given = new Map((sub.options ?? []).map((o) => [o.name, o.value]));
  const spec = GRAMMAR.find((s) => optionName(s.verb) === sub.name);
  const parts = ['/chainops', spec?.verb ?? sub.name];
  if (!spec) return parts.join(' ');
  for (const arg of spec.args) {
    const v = given.get(optionName(arg.name));
    given.delete(optionName(arg.name));
    // Positionals cannot skip a slot; the grammar keeps optional arguments last, so stopping is exact.
    if (v === undefined) break;
    parts.push(quoted(String(v)));
  }
  for (const flag of spec.flags) {
    const name = optionName(flag.name);
    const v = given.get(name);
    given.delete(name);
    if (v === undefined || v === false) continue;
    if (v === true) parts.push(`--${flag.name}`);
    // `--name=value` keeps a value that starts with `-` from being read as another flag.
    else parts.push(String(v).startsWith('-') ? `--${flag.name}=${quoted(String(v))}` : `--${flag.name} ${quoted(String(v))}`);
  }
  for (const [name, v] of given) if (v !== undefined) parts.push(`--${name} ${quoted(String(v))}`);
  return parts.join(' ');
}

/** The option the user is typing in an autocomplete interaction, with the grammar kind behind it. */
export function focusedOf(options: InteractionOption[] | undefined): { kind?: string; prefix: string } | undefined {
  const sub = subcommandOf(options);
  const focused = sub?.options?.find((o) => o.focused);
  if (!sub || !focused) return undefined;
  const found = specForOption(sub.name, focused.name);
  return { ...(found?.kind ? { kind: found.kind } : {}), prefix: String(focused.value ?? '') };
}
