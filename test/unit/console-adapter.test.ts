import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { ActionEvent, ChatEvent, CommandEvent, MessageRef } from '../../src/chat/chat-event.ts';
import type { Dispatch, Responder } from '../../src/chat/dispatch.ts';
import type { Message } from '../../src/chat/message.ts';
import { ConsoleChat } from '../../adapters/console/console-chat.ts';
import { runOnce, startConsole, type ConsoleSession } from '../../adapters/console/console-session.ts';

/** Output stream that collects everything written to it. */
function sink() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

const approvalCard: Message = {
  text: 'Approve rollout?',
  severity: 'warn',
  blocks: [
    { type: 'header', text: 'Approve rollout r-1?' },
    {
      type: 'actions',
      buttons: [
        { actionId: 'approval.approve', label: 'Approve', value: 'r-1', style: 'primary' },
        { actionId: 'approval.reject', label: 'Reject', value: 'r-1', style: 'danger' },
      ],
    },
  ],
};

/** Runs `lines` through a session whose dispatch records events and answers via `answer`. */
async function run(
  lines: string[],
  answer: (e: ChatEvent, respond: Responder, s: ConsoleSession) => Promise<void> = async (e, respond) => {
    await respond({ text: `ok ${e.kind}`, blocks: [] });
  },
  extra: { users?: string[] } = {},
) {
  const input = new PassThrough();
  const out = sink();
  const events: ChatEvent[] = [];
  let session: ConsoleSession | undefined;
  const dispatch: Dispatch = async (e, respond) => {
    events.push(e);
    await answer(e, respond, session!);
  };
  session = startConsole({ input, output: out.stream, user: 'alice', dispatch, color: false, ...extra });
  input.end(lines.map((l) => `${l}\n`).join(''));
  await session.closed;
  return { events, output: out.text(), session };
}

test('/chainops status becomes a CommandEvent from the console user', async () => {
  const { events, output } = await run(['/chainops status']);
  assert.equal(events.length, 1);
  const e = events[0] as CommandEvent;
  assert.equal(e.kind, 'command');
  assert.equal(e.text, '/chainops status');
  assert.deepEqual(e.actor, { platform: 'console', id: 'alice', roleIds: [] });
  assert.deepEqual(e.conversation, { platform: 'console', channelId: 'console' });
  assert.match(output, /^#1 ok command$/m);
});

test('bare verbs and help get the /chainops prefix', async () => {
  const { events } = await run(['status', 'help', '/help upgrade']);
  assert.deepEqual(events.map((e) => (e as CommandEvent).text), ['/chainops status', '/chainops help', '/chainops help upgrade']);
});

test('--as acts as another user for one line only', async () => {
  const { events } = await run(['/chainops status --as bob', '/chainops status']);
  assert.deepEqual(events.map((e) => e.actor.id), ['bob', 'alice']);
  assert.equal((events[0] as CommandEvent).text, '/chainops status');
});

test('--as refuses an invalid user name and dispatches nothing', async () => {
  const { events, output } = await run(['/chainops status --as Bob!', '/chainops status --as']);
  assert.equal(events.length, 0);
  assert.match(output, /✖ "Bob!" is not a console user name/);
  assert.match(output, /✖ usage: <command> --as <user>/);
});

test('/as switches the current user; users list is enforced', async () => {
  const { events, output, session } = await run(['/as carol', 'status', 'as dave', 'status', '/as mallory'], undefined, {
    users: ['alice', 'carol', 'dave'],
  });
  assert.deepEqual(events.map((e) => e.actor.id), ['carol', 'dave']);
  assert.match(output, /now acting as carol/);
  assert.match(output, /✖ unknown user "mallory" — known users: alice, carol, dave/);
  assert.equal(session.user, 'dave');
});

test('pressing a number sends the ActionEvent with the recorded actionId, value and message', async () => {
  const refs: MessageRef[] = [];
  const { events, output } = await run(['/chainops upgrade prod', '2'], async (e, respond) => {
    if (e.kind === 'command') refs.push((await respond(approvalCard))!);
  });
  assert.match(output, /\[1\] Approve {2}\[2\] Reject/);
  const press = events[1] as ActionEvent;
  assert.equal(press.kind, 'action');
  assert.equal(press.actionId, 'approval.reject');
  assert.equal(press.value, 'r-1');
  assert.deepEqual(press.message, refs[0]);
  assert.deepEqual(press.actor, { platform: 'console', id: 'alice', roleIds: [] });
  assert.equal(press.conversation.channelId, 'console');
});

test('a button of an updated message is spent and refused with a clear line', async () => {
  const { events, output } = await run(['/chainops upgrade prod', '1', '1', '99', '3 --as bob'], async (e, respond, s) => {
    if (e.kind === 'command') await respond(approvalCard);
    else if (e.message) await s.chat.update(e.message, { ...approvalCard, severity: 'ok', blocks: [{ type: 'header', text: 'Approved' }, { type: 'actions', buttons: [{ actionId: 'job.logs', label: 'Logs', value: 'j1' }] }] });
  });
  assert.equal(events.filter((e) => e.kind === 'action').length, 2);
  assert.match(output, /^\(#1 updated\) ✔ Approved$/m);
  assert.match(output, /✖ button 1 is spent: message #1 was updated since/);
  assert.match(output, /✖ there is no button 99/);
  // The new version's button got a fresh number and works, here as bob.
  assert.match(output, /\[3\] Logs/);
  const last = events.at(-1) as ActionEvent;
  assert.equal(last.actionId, 'job.logs');
  assert.equal(last.actor.id, 'bob');
});

test('a button with confirm needs n! before it is sent', async () => {
  const card: Message = { text: 'x', blocks: [{ type: 'actions', buttons: [{ actionId: 'node.destroy', label: 'Destroy', value: 'eth-3', style: 'danger', confirm: { title: 'Destroy eth-3?', text: 'This deletes the node.' } }] }] };
  const { events, output } = await run(['decommission eth-3', '1', '1!'], async (e, respond) => {
    if (e.kind === 'command') await respond(card);
  });
  assert.match(output, /▲ Destroy eth-3\?: This deletes the node\. — type 1! to confirm/);
  assert.deepEqual(events.map((e) => e.kind), ['command', 'action']);
});

test('a throwing dispatch prints an error and the REPL continues', async () => {
  let calls = 0;
  const { events, output } = await run(['status', 'status'], async (_e, respond) => {
    if (++calls === 1) throw new Error('redis down');
    await respond({ text: 'fine', blocks: [] });
  });
  assert.equal(events.length, 2);
  assert.match(output, /✖ the bot failed to handle that \(redis down\)/);
  assert.match(output, /#1 fine/);
});

test('exit stops reading even with more input; ephemeral replies say (only you)', async () => {
  const { events, output } = await run(['help', 'exit', 'status'], async (_e, respond) => {
    await respond({ text: 'usage …', blocks: [], ephemeral: true });
  });
  assert.equal(events.length, 1);
  assert.match(output, /#1 \(only you\) usage …/);
});

test('lines are handled in order, each dispatch awaited before the next line', async () => {
  const order: string[] = [];
  await run(['status a', 'status b', 'status c'], async (e) => {
    const t = (e as CommandEvent).text;
    order.push(`start ${t}`);
    await new Promise((r) => setImmediate(r));
    order.push(`end ${t}`);
  });
  assert.deepEqual(order, ['a', 'b', 'c'].flatMap((x) => [`start /chainops status ${x}`, `end /chainops status ${x}`]));
});

test('close() ends the session; waitForIdle waits for posts arriving later', async () => {
  const input = new PassThrough();
  const out = sink();
  let posted = 0;
  const session = startConsole({
    input, output: out.stream, user: 'alice', color: false,
    dispatch: async (e, respond) => {
      const ref = (await respond({ text: 'queued job j1', blocks: [] }))!;
      // Job progress arrives later, after dispatch returned, like a worker posting through the ChatPort.
      setTimeout(() => void session.chat.replyInThread(ref, { text: 'step 1/2', blocks: [] }).then(() => posted++), 30);
      setTimeout(() => void session.chat.replyInThread(ref, { text: 'done', severity: 'ok', blocks: [] }).then(() => posted++), 60);
    },
  });
  input.write('status\n');
  const deadline = Date.now() + 5_000;
  while (posted < 2 && Date.now() < deadline) await session.waitForIdle({ quietMs: 100 });
  assert.equal(posted, 2);
  assert.match(out.text(), / {2}↳ #1\n {4}#2 step 1\/2\n {2}↳ #1\n {4}#3 ✔ done\n/);
  session.close();
  await session.closed;
});

test('ConsoleChat: channels other than its own are tagged; unknown refs cannot be updated', async () => {
  const out = sink();
  const chat = new ConsoleChat(out.stream, { color: false });
  const ref = await chat.post({ platform: 'console', channelId: 'alerts-prod' }, { text: 'lag 12 blocks', severity: 'error', blocks: [] });
  assert.deepEqual(ref, { platform: 'console', channelId: 'alerts-prod', messageId: '1' });
  assert.match(out.text(), /^#1 \[alerts-prod\] ✖ lag 12 blocks$/m);
  await assert.rejects(chat.update({ ...ref, messageId: '42' }, { text: 'x', blocks: [] }), { code: 'not_found' });
});

test('runOnce returns 0 for a normal reply and 1 for an error reply or a failure', async () => {
  const out = sink();
  const seen: ChatEvent[] = [];
  const reply = (m: Message): Dispatch => async (e, respond) => { seen.push(e); await respond(m); };
  assert.equal(await runOnce({ text: '/chainops status', user: 'alice', output: out.stream, dispatch: reply({ text: 'all good', severity: 'ok', blocks: [] }) }), 0);
  assert.equal(await runOnce({ text: '/chainops upgrade prod', user: 'alice', output: out.stream, dispatch: reply({ text: 'forbidden', severity: 'error', ephemeral: true, blocks: [] }) }), 1);
  // A report that shows trouble (a down node) is a successful command, not a failed one.
  assert.equal(await runOnce({ text: '/chainops status', user: 'alice', output: out.stream, dispatch: reply({ text: '1 node down', severity: 'error', blocks: [] }) }), 0);
  assert.equal(await runOnce({ text: 'status --as bob', user: 'alice', output: out.stream, dispatch: async () => { throw new Error('boom'); } }), 1);
  assert.equal(await runOnce({ text: '3', user: 'alice', output: out.stream, dispatch: reply({ text: '', blocks: [] }) }), 1);
  assert.deepEqual(seen.map((e) => [e.actor.id, (e as CommandEvent).text]), [['alice', '/chainops status'], ['alice', '/chainops upgrade prod'], ['alice', '/chainops status']]);
  assert.match(out.text(), /✔ all good/);
  assert.match(out.text(), /✖ forbidden/);
});
