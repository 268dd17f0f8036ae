/** The terminal REPL: typed lines become ChatEvents for the core's dispatch, replies are printed. */
import { createInterface, clearLine, cursorTo } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Actor, ChatEvent, Conversation } from '../../src/chat/chat-event.ts';
import type { Dispatch, Responder } from '../../src/chat/dispatch.ts';
import { ChainopsError, errorMessage } from '../../src/errors.ts';
import { shouldColor, streamWidth } from './ansi.ts';
import { ConsoleChat } from './console-chat.ts';
import { parseConsoleLine, userNameProblem } from './console-line.ts';

export interface ConsoleOptions {
  input: Readable;
  output: Writable;
  /** Who is typing at first (a console user name, matched by the fleet's roles). */
  user: string;
  /** Users `/as` and `--as` may act as. @defaultValue any valid user name */
  users?: string[];
  /** Whether `/as` and `--as` may name anyone but `user`, asked at each use (the fleet file decides). @defaultValue always */
  mayImpersonate?: () => boolean;
  /** @defaultValue 'console' */
  channelId?: string;
  dispatch: Dispatch;
  /** @defaultValue output is a TTY and `NO_COLOR` is unset */
  color?: boolean;
  /** Prompt; `{user}` is replaced by the current user. @defaultValue '{user}> ' */
  prompt?: string;
  /** Share the ChatPort that workers post progress to, so their buttons can be pressed here. @defaultValue a new ConsoleChat on `output` */
  chat?: ConsoleChat;
}

export interface ConsoleSession {
  /** Resolves when the REPL ends (exit, quit, Ctrl-D, Ctrl-C or `close()`); never rejects. */
  closed: Promise<void>;
  /** Stops reading input; the line being processed finishes first. */
  close(): void;
  /** Waits until asynchronous posts (job progress) have stopped arriving for a moment. */
  waitForIdle(opts?: { quietMs?: number; timeoutMs?: number }): Promise<boolean>;
  /** The user lines are currently sent as. */
  readonly user: string;
  readonly chat: ConsoleChat;
}

/** Mutable REPL state shared by the line handlers. */
interface State {
  user: string;
  deliveries: number;
  readonly opts: ConsoleOptions;
  readonly chat: ConsoleChat;
  readonly conversation: Conversation;
}

function actor(id: string): Actor {
  return { platform: 'console', id, roleIds: [] };
}

/** Refuses impersonation the fleet file does not allow, and a user outside `users` (when given); returns the refusal text or undefined. */
function unknownUser(users: string[] | undefined, name: string, self?: { user: string; mayImpersonate?: () => boolean }): string | undefined {
  if (self && name !== self.user && self.mayImpersonate && !self.mayImpersonate()) {
    return `acting as "${name}" is refused: this console acts as "${self.user}" (CHAINOPS_CONSOLE_USER or your OS user), and the fleet file does not allow impersonation (console.allow_impersonation)`;
  }
  if (!users || users.includes(name)) return undefined;
  return `unknown user "${name}" — known users: ${users.join(', ')}`;
}

/** Calls dispatch; a throw (which the contract forbids, but bugs happen) is printed, never fatal. */
async function safeDispatch(dispatch: Dispatch, event: ChatEvent, respond: Responder, chat: ConsoleChat): Promise<boolean> {
  try {
    await dispatch(event, respond);
    return true;
  } catch (err) {
    chat.notice(`the bot failed to handle that (${errorMessage(err)}) — nothing more was done; the console is still running`, 'error');
    return false;
  }
}

/** Handles one line; returns false when the session should end. */
async function handleLine(state: State, raw: string): Promise<boolean> {
  const { chat, opts } = state;
  const line = parseConsoleLine(raw);
  switch (line.kind) {
    case 'empty':
      return true;
    case 'exit':
      return false;
    case 'invalid':
      chat.notice(line.reason, 'error');
      return true;
    case 'switch': {
      const refusal = unknownUser(opts.users, line.user, opts);
      if (refusal) chat.notice(refusal, 'error');
      else {
        state.user = line.user;
        chat.notice(`now acting as ${line.user}`);
      }
      return true;
    }
  }
  const who = line.as ?? state.user;
  const refusal = unknownUser(opts.users, who, opts);
  if (refusal) {
    chat.notice(refusal, 'error');
    return true;
  }
  const deliveryId = `console-${process.pid}-${++state.deliveries}`;
  if (line.kind === 'command') {
    const event: ChatEvent = { kind: 'command', actor: actor(who), conversation: state.conversation, text: line.text, deliveryId };
    await safeDispatch(opts.dispatch, event, (m) => chat.post(state.conversation, m), chat);
    return true;
  }
  const found = chat.buttons.lookup(line.button);
  if (found.status === 'unknown') {
    chat.notice(`there is no button ${line.button} — press one of the [n] numbers shown under a message`, 'error');
    return true;
  }
  if (found.status === 'spent') {
    chat.notice(`button ${line.button} is spent: message #${found.messageId} was updated since — use the buttons of its latest version`, 'error');
    return true;
  }
  const { button } = found;
  if (button.confirm && !line.confirmed) {
    chat.notice(`${button.confirm.title}: ${button.confirm.text} — type ${line.button}! to confirm`, 'warn');
    return true;
  }
  const conversation: Conversation = {
    platform: 'console',
    channelId: button.message.channelId,
    ...(button.message.threadId !== undefined ? { threadId: button.message.threadId } : {}),
  };
  const event: ChatEvent = {
    kind: 'action', actor: actor(who), conversation, actionId: button.actionId, value: button.value, message: button.message, deliveryId,
  };
  await safeDispatch(opts.dispatch, event, (m) => chat.post(conversation, m), chat);
  return true;
}

function checkUser(opts: { user: string; users?: string[] }): void {
  const problem = userNameProblem(opts.user) ?? unknownUser(opts.users, opts.user);
  if (problem) throw new ChainopsError('config_invalid', `console user: ${problem}`);
}

/** Starts the console REPL on `input`/`output`; lines are handled strictly one after another. */
export function startConsole(opts: ConsoleOptions): ConsoleSession {
  checkUser(opts);
  const tty = (opts.input as { isTTY?: boolean }).isTTY === true;
  const chat = opts.chat ?? new ConsoleChat(opts.output, {
    color: opts.color ?? shouldColor(opts.output),
    width: streamWidth(opts.output),
    channelId: opts.channelId ?? 'console',
  });
  const state: State = {
    user: opts.user, deliveries: 0, opts, chat,
    conversation: { platform: 'console', channelId: opts.channelId ?? 'console' },
  };
  const promptText = () => (opts.prompt ?? '{user}> ').replaceAll('{user}', state.user);
  const rl = createInterface({ input: opts.input, ...(tty ? { output: opts.output, terminal: true } : { terminal: false }) });
  // Without a listener readline only pauses on Ctrl-C, which would leave the REPL hanging.
  rl.on('SIGINT', () => rl.close());
  let busy = true;
  if (tty) {
    // Job progress may arrive while the prompt waits: clear the prompt line, print, redraw it.
    chat.hooks = {
      before: () => { if (!busy) { clearLine(opts.output, 0); cursorTo(opts.output, 0); } },
      after: () => { if (!busy) rl.prompt(true); },
    };
    chat.notice(`ChainOps console — acting as ${state.user}. Type help, a button number, /as <user>, or exit.`);
  }
  const prompt = () => {
    busy = false;
    if (tty) { rl.setPrompt(promptText()); rl.prompt(); }
  };

  const closed = (async () => {
    try {
      const lines = rl[Symbol.asyncIterator]();
      prompt();
      for (;;) {
        const next = await lines.next();
        if (next.done) break;
        busy = true;
        // Piped input is not echoed by a terminal: echo it so the transcript shows who typed what.
        if (!tty && next.value.trim() !== '') chat.raw(`${promptText()}${next.value.trim()}\n`);
        if (!(await handleLine(state, next.value))) break;
        prompt();
      }
    } catch (err) {
      chat.notice(`console stopped: ${errorMessage(err)}`, 'error');
    } finally {
      busy = true;
      chat.hooks = undefined;
      rl.close();
    }
  })();

  return {
    closed,
    close: () => rl.close(),
    waitForIdle: (o) => chat.waitForIdle(o),
    get user() { return state.user; },
    chat,
  };
}

export interface RunOnceOptions {
  /** One console line, e.g. `/chainops status` (a trailing `--as <user>` works too). */
  text: string;
  user: string;
  output: Writable;
  dispatch: Dispatch;
  /** @defaultValue output is a TTY and `NO_COLOR` is unset */
  color?: boolean;
  /** @defaultValue 'console' */
  channelId?: string;
  /** Whether a trailing `--as` may name anyone but `user`. @defaultValue always */
  mayImpersonate?: () => boolean;
}

/** Runs one command (`chainops console --exec …`); resolves 0, or 1 if it failed or any reply was an error. */
export async function runOnce(opts: RunOnceOptions): Promise<number> {
  checkUser(opts);
  const channelId = opts.channelId ?? 'console';
  const chat = new ConsoleChat(opts.output, {
    color: opts.color ?? shouldColor(opts.output), width: streamWidth(opts.output), channelId,
  });
  const line = parseConsoleLine(opts.text);
  if (line.kind !== 'command') {
    chat.notice(line.kind === 'invalid' ? line.reason : 'only a command can be run with --exec, e.g. --exec "/chainops status"', 'error');
    return 1;
  }
  const refused = unknownUser(undefined, line.as ?? opts.user, opts);
  if (refused) {
    chat.notice(refused, 'error');
    return 1;
  }
  const conversation: Conversation = { platform: 'console', channelId };
  let failed = false;
  const respond: Responder = (m) => {
    // A refusal or failure is an ephemeral error; a status that shows a down node is still a success.
    if (m.severity === 'error' && m.ephemeral) failed = true;
    return chat.post(conversation, m);
  };
  const event: ChatEvent = {
    kind: 'command', actor: actor(line.as ?? opts.user), conversation, text: line.text, deliveryId: `console-${process.pid}-exec`,
  };
  const ok = await safeDispatch(opts.dispatch, event, respond, chat);
  return ok && !failed ? 0 : 1;
}
