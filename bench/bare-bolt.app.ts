// Child process of bench/ack.bench.ts: the baseline — a bare Bolt app in HTTP mode (Bolt's own
// HTTPReceiver and server, signature check included) whose only listener acks `/chainops` and does
// nothing else. Same Bolt version, same stand-in for auth.test, same tsx loader as ChainOps.
import { App, LogLevel } from '@slack/bolt';

const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  signingSecret: process.env.SLACK_SIGNING_SECRET!,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
  logLevel: LogLevel.ERROR,
});
app.command('/chainops', async ({ ack }) => {
  await ack();
});
await app.start(Number(process.env.PORT));
process.send?.({ ready: true });
process.on('disconnect', () => void app.stop().finally(() => process.exit(0)));
