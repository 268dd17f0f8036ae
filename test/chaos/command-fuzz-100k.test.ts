// Chaos item 5 (issue #8): 100 000 random and mutated command strings and button clicks through the
// whole pipeline (createDispatch on in-memory ports, the demo fleet), from people of every role and
// from strangers. No crash, no internal error, and every one answered with exactly one clear message.
// (`npm test` runs 10 000 of a different generator in test/unit/command-fuzz.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Actor } from '../../src/chat/chat-event.ts';
import type { Message } from '../../src/chat/message.ts';
import { parseFleet } from '../../src/fleet/fleet.load.ts';
import { memoryCore } from './lib/memory-core.ts';
import { fuzzCorpus } from './lib/fuzz-corpus.ts';

const TOTAL = 100_000;
const demo = (() => {
  const r = parseFleet(readFileSync(new URL('../../examples/demo/chainops.yaml', import.meta.url), 'utf8'));
  if (!r.ok) throw new Error('the demo fleet does not parse');
  return r.fleet;
})();

const ACTORS: Actor[] = [
  { platform: 'console', id: 'alice', roleIds: [] }, // admin
  { platform: 'console', id: 'bob', roleIds: [] }, // approver
  { platform: 'console', id: 'carol', roleIds: [] }, // operator
  { platform: 'console', id: 'zed', roleIds: [] }, // viewer (console `*`)
  { platform: 'slack', id: 'T0X/U0STRANGER', roleIds: [] }, // no role
  { platform: 'discord', id: '424242424242', roleIds: ['1'] }, // no role
];

/** Words that tell the reader what to do next; every refusal must carry at least one. */
const GUIDANCE = /`[^`]+`|Usage:|\b(use|type|see|run|ask|try|pass|keep|remove|close|known|add|wait|approve|unfreeze|unlock|needs?|set|configure|check)\b/i;
/** Signs of an answer written by a program for a programmer. */
const LEAK = /\bundefined\b|\bNaN\b|\[object Object\]|\n\s+at .+\(.+:\d+:\d+\)|TypeError|ReferenceError|something went wrong on our side/;

function checkReply(input: string, replies: Message[]): void {
  const where = JSON.stringify(input.length > 120 ? `${input.slice(0, 120)}…` : input);
  assert.equal(replies.length, 1, `${where}: ${replies.length} replies`);
  const m = replies[0]!;
  assert.equal(typeof m.text, 'string', where);
  assert.ok(m.text.trim().length > 0, `${where}: empty reply`);
  assert.ok(m.text.length <= 4_000, `${where}: a ${m.text.length}-character reply`);
  assert.ok(Array.isArray(m.blocks), where);
  assert.doesNotMatch(m.text, LEAK, `${where} → ${m.text}`);
  for (const b of m.blocks) assert.doesNotMatch(JSON.stringify(b), LEAK, `${where} → block ${JSON.stringify(b).slice(0, 200)}`);
  if (m.severity === 'error') assert.match(m.text, GUIDANCE, `${where}: a refusal that does not say what to do: ${m.text}`);
}

test(`${TOTAL.toLocaleString('en')} random and mutated commands and clicks: no crash, each answered once, clearly`, async (t) => {
  const inputs = fuzzCorpus(TOTAL);
  const h = memoryCore(demo);
  const severities = new Map<string, number>();
  let commands = 0;
  for (const [i, input] of inputs.entries()) {
    const actor = ACTORS[i % ACTORS.length]!;
    let replies: Message[];
    try {
      replies = input.kind === 'command' ? await h.send(actor, input.text) : await h.click(actor, input.actionId, input.value);
    } catch (err) {
      assert.fail(`dispatch threw on ${JSON.stringify(input).slice(0, 200)}: ${String(err)}`);
    }
    checkReply(input.kind === 'command' ? input.text : `[${input.actionId}] ${input.value}`, replies);
    const sev = replies[0]!.severity ?? 'none';
    severities.set(sev, (severities.get(sev) ?? 0) + 1);
    if (input.kind === 'command') commands++;
    h.tick(1_000);
  }
  t.diagnostic(`${commands} commands, ${TOTAL - commands} clicks; replies by severity: ${[...severities].map(([k, v]) => `${k} ${v}`).join(', ')}; jobs queued ${h.queue.jobs().length}`);
  assert.deepEqual(h.errors, [], 'no internal error was logged');
  // Both sides exercised: plenty refused, plenty carried out.
  assert.ok((severities.get('error') ?? 0) > TOTAL * 0.3);
  assert.ok(TOTAL - (severities.get('error') ?? 0) > TOTAL * 0.05);
});
