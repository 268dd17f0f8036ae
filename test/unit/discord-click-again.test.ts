// Discord sends a new interaction (new id) for every click: a deliberate second click of Restart node
// runs again, a re-delivered interaction and a double click within a few seconds do not.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { REST } from 'discord.js';
import { MemoryStateStore } from '../../adapters/memory/memory-state.store.ts';
import { handleInteraction, type InteractionDeps } from '../../adapters/discord/discord-interaction.handler.ts';
import type { WebhookTokens } from '../../adapters/discord/discord-webhook-tokens.ts';
import type { ChatEvent } from '../../src/chat/chat-event.ts';
import { componentInteraction, messageObject, snowflake, type StandInIds } from '../stand-ins/discord-payloads.stand-in.ts';

const ids: StandInIds = { applicationId: '900000000000000001', guildId: '900000000000000002', channelId: '900000000000000003', botUserId: '900000000000000004' };
const CAROL = { userId: '430000000000000003', roleIds: [] };

describe('Discord "do it again" buttons', () => {
  it('a second click later runs again; a re-delivered interaction and a double click within 5 s are dropped', async () => {
    let now = Date.UTC(2026, 0, 6, 9, 0, 0);
    const events: ChatEvent[] = [];
    const deps: InteractionDeps = {
      rest: {} as REST, applicationId: ids.applicationId, state: new MemoryStateStore({ clock: { now: () => now } }),
      dispatch: async (e) => void events.push(e), autocomplete: async () => [], tokens: {} as WebhookTokens, logger: pino({ level: 'silent' }),
    };
    const acks: object[] = [];
    const ack = async (_i: unknown, body: object) => void acks.push(body);
    const message = messageObject(ids, snowflake(), ids.channelId, { content: 'alert', components: [] });
    const click = () => componentInteraction(ids, 'alert-run:restart eth-1 --alert al-abcd1234', message, CAROL);

    const first = click();
    assert.equal(await handleInteraction(first, ack, deps), 'handled');
    now += 1_000;
    assert.equal(await handleInteraction(click(), ack, deps), 'duplicate', 'a double click a second later');
    now += 10_000;
    assert.equal(await handleInteraction(first, ack, deps), 'duplicate', 'the same interaction delivered again');
    now += 3 * 3_600_000;
    assert.equal(await handleInteraction(click(), ack, deps), 'handled', 'a new click hours later');
    assert.equal(events.length, 2);
    assert.notEqual(events[0]!.deliveryId, events[1]!.deliveryId, 'each click is its own delivery, so its own job');
    assert.equal(acks.length, 3, 'each new interaction is answered within Discord\'s window, a double click too');
  });
});
