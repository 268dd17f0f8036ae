/** Turns one typed console line into what the person meant (command, button press, user switch…). */

/** Console user names: lower-case, like Unix logins, so they are safe in logs and policy files. */
export const USER_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

export type ConsoleLine =
  | { kind: 'empty' }
  | { kind: 'exit' }
  /** `text` always starts with `/chainops`; `as` is a one-line `--as <user>`. */
  | { kind: 'command'; text: string; as?: string }
  /** `confirmed` when typed `3!` (answers a button's "are you sure?"). */
  | { kind: 'press'; button: number; confirmed: boolean; as?: string }
  | { kind: 'switch'; user: string }
  | { kind: 'invalid'; reason: string };

/** Why a user name is refused, or undefined when it is fine. */
export function userNameProblem(name: string): string | undefined {
  return USER_NAME.test(name)
    ? undefined
    : `"${name}" is not a console user name — use lower-case letters, digits, "-" or "_", starting with a letter (max 32)`;
}

// `--as bob` or `--as=bob` at the very end of the line; anywhere else it is part of the command.
const TRAILING_AS = /(?:^|\s+)--as(?:[\s=]+(\S*))?\s*$/;

/** Parses a console line; pure, so the REPL and `--exec` agree on the grammar. */
export function parseConsoleLine(raw: string): ConsoleLine {
  let line = raw.trim();
  if (line === '') return { kind: 'empty' };

  let as: string | undefined;
  const m = TRAILING_AS.exec(line);
  if (m) {
    as = m[1] ?? '';
    if (as === '') return { kind: 'invalid', reason: 'usage: <command> --as <user>' };
    const problem = userNameProblem(as);
    if (problem) return { kind: 'invalid', reason: problem };
    line = line.slice(0, m.index).trim();
    if (line === '') return { kind: 'invalid', reason: '--as needs a command before it, e.g. "/chainops status --as bob"' };
  }
  const oneLineOnly = (what: string): ConsoleLine => ({
    kind: 'invalid',
    reason: `--as only applies to commands and button presses, not to ${what}`,
  });

  const lower = line.toLowerCase();
  if (['exit', 'quit', '/exit', '/quit'].includes(lower)) return as ? oneLineOnly(lower) : { kind: 'exit' };

  const press = /^(\d{1,9})(!?)$/.exec(line);
  if (press) return { kind: 'press', button: Number(press[1]), confirmed: press[2] === '!', ...(as ? { as } : {}) };

  const sw = /^\/?as(?:\s+(.*))?$/i.exec(line);
  if (sw) {
    if (as) return oneLineOnly('/as');
    const user = (sw[1] ?? '').trim();
    if (user === '' || /\s/.test(user)) return { kind: 'invalid', reason: 'usage: /as <user>' };
    const problem = userNameProblem(user);
    return problem ? { kind: 'invalid', reason: problem } : { kind: 'switch', user };
  }

  let text: string;
  if (/^\/chainops(\s|$)/i.test(line)) text = line;
  else if (/^\/help(\s|$)/i.test(line)) text = `/chainops ${line.slice(1)}`;
  else if (line.startsWith('/')) {
    const word = line.split(/\s/)[0];
    return { kind: 'invalid', reason: `unknown console command ${word} — type "help", or start with /chainops` };
  } else text = `/chainops ${line}`; // a bare verb: `status`, `help`, `upgrade …`
  return { kind: 'command', text, ...(as ? { as } : {}) };
}
