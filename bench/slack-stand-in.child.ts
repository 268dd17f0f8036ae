// Child process of bench/ack.bench.ts and bench/idle.bench.ts: the Slack Web API stand-in (from
// test/stand-ins) in a process of its own, so answering the bots' calls costs the measuring process
// nothing. Sends { url } over IPC once listening; answers { count: true } with the calls so far per method.
import { startSlackStandIn } from '../test/stand-ins/slack-api.stand-in.ts';

const standIn = await startSlackStandIn({ botToken: process.env.SLACK_BOT_TOKEN });
const byMethod: Record<string, number> = {};
process.on('message', (m: { count?: boolean }) => {
  if (!m.count) return;
  for (const c of standIn.calls) byMethod[c.method] = (byMethod[c.method] ?? 0) + 1;
  // Recorded calls are only needed for counting: drop them so a long run does not grow this process.
  standIn.calls.length = 0;
  standIn.messages.length = 0;
  process.send?.({ calls: { ...byMethod } });
});
process.send?.({ url: standIn.url, responseUrl: standIn.responseUrl('bench') });
process.on('disconnect', () => void standIn.stop().finally(() => process.exit(0)));
