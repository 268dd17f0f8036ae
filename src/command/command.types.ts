import type { Verb } from './grammar.ts';

/** Positional and flag values after validation, keyed by the grammar's names. */
export type CommandValues = Record<string, string | number | boolean | undefined>;

/** A parsed, validated command: the verb plus values that passed their tight patterns. */
export interface Command {
  verb: Verb;
  /** Positional arguments and flags by name (flags without the leading `--`). */
  values: CommandValues;
  /** Canonical text, re-built from validated values (shown to approvers, written to the audit log). */
  canonical: string;
}

export type ParseResult =
  | { ok: true; command: Command }
  | { ok: false; message: string; verb?: Verb; usage?: string; suggestion?: string };
