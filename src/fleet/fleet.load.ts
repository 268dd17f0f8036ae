import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ChainopsError } from '../errors.ts';
import { fleetSchema, type Fleet } from './fleet.schema.ts';
import { checkFleetGuards } from './fleet-guard.ts';
import type { FleetGuardSettings } from './fleet-guard.settings.ts';

/** One problem in a fleet file: where (path and line) and what to do about it. */
export interface FleetProblem {
  path: string;
  line?: number;
  message: string;
}

export type FleetResult = { ok: true; fleet: Fleet } | { ok: false; problems: FleetProblem[] };

/**
 * Parse and validate fleet-file text. Every problem is reported, not only the first. With `guard`,
 * secret names and paths are checked too (what the fleet file may name; see fleet-guard.ts).
 */
export function parseFleet(text: string, opts: { guard?: FleetGuardSettings } = {}): FleetResult {
  const counter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter: counter });
  if (doc.errors.length) {
    return {
      ok: false,
      // `linePos` is only filled in with prettyErrors, so the line comes from the error's offset.
      problems: doc.errors.map((e) => ({ path: '(yaml)', line: e.linePos?.[0]?.line ?? counter.linePos(e.pos[0]).line, message: `${e.message.split('\n')[0]} — fix the YAML syntax here` })),
    };
  }
  const raw: unknown = doc.toJS();
  const parsed = fleetSchema.safeParse(raw ?? {});
  if (parsed.success) {
    const guarded = opts.guard ? checkFleetGuards(parsed.data, opts.guard) : [];
    if (guarded.length === 0) return { ok: true, fleet: parsed.data };
    return { ok: false, problems: guarded.map((g) => ({ path: dotted(g.path), line: lineOf(doc, counter, g.path), message: g.message })) };
  }
  return { ok: false, problems: parsed.error.issues.map((i) => toProblem(doc, counter, i)) };
}

/** Read, parse and validate a fleet file; throws a ChainopsError that lists every problem. */
export async function loadFleet(path: string, opts: { guard?: FleetGuardSettings } = {}): Promise<Fleet> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ChainopsError('config_missing', `cannot read the fleet file ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'}) — set CHAINOPS_CONFIG to its path`);
  }
  const result = parseFleet(text, opts);
  if (!result.ok) {
    throw new ChainopsError('config_invalid', `${path} is not a valid fleet file:\n${formatProblems(result.problems)}\nRun \`chainops config check ${path}\` for details.`);
  }
  return result.fleet;
}

/** `nodes[2].rpc_url (line 31): …`, one line per problem. */
export function formatProblems(problems: FleetProblem[]): string {
  return problems.map((p) => `  ✖ ${p.path}${p.line ? ` (line ${p.line})` : ''}: ${p.message}`).join('\n');
}

function dotted(path: PropertyKey[]): string {
  return path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('').replace(/^\./, '') || '(top level)';
}

function toProblem(doc: Document, counter: LineCounter, issue: z.core.$ZodIssue): FleetProblem {
  return { path: dotted(issue.path), line: lineOf(doc, counter, issue.path), message: explain(issue) };
}

function explain(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} — remove ${issue.keys.length > 1 ? 'them' : 'it'} or check the spelling (see \`chainops config schema\`)`;
    case 'invalid_type':
      return issue.message.includes('received undefined') ? `missing — add this ${issue.expected} field` : `${issue.message} — change it to a ${issue.expected}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])} — set it to that`
        : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')} — pick one`;
    case 'too_small':
      return `too small: must be ${issue.inclusive ? 'at least' : 'more than'} ${String(issue.minimum)} — raise it`;
    case 'too_big':
      return `too big: must be ${issue.inclusive ? 'at most' : 'less than'} ${String(issue.maximum)} — lower it`;
    default:
      return issue.message;
  }
}

/** Best-effort source line of a path, walking up to the nearest node that exists. */
function lineOf(doc: Document, counter: LineCounter, path: PropertyKey[]): number | undefined {
  for (let n = path.length; n > 0; n--) {
    const node = doc.getIn(path.slice(0, n) as Array<string | number>, true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}
