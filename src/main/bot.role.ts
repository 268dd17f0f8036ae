import { createServer, type Server } from 'node:http';
import { startOutboxConsumer } from '../../adapters/outbox/redis.outbox.ts';
import { redisHealthzRoute } from '../../adapters/redis/redis-healthz.ts';
import { countingDispatch } from '../../adapters/metrics/command-counter.ts';
import { serveRoutes, type HttpRoute } from '../../adapters/metrics/metrics-route.ts';
import { startGitopsPush } from './gitops-push.ts';
import type { Platform } from '../chat/chat-event.ts';
import type { ChatPort } from '../ports/chat.port.ts';
import { createDispatch } from '../pipeline/create-dispatch.ts';
import { deliverOutboxItem } from '../pipeline/outbox-delivery.ts';
import { autocomplete } from '../pipeline/autocomplete.ts';
import { homeView } from '../render/home.view.ts';
import type { Env } from './env.ts';
import type { Runtime } from './runtime.ts';
import { botMetricsPortFrom, createRuntimeMetrics, serveMetricsAlone } from './metrics-http.ts';
import { startApprovalSweeper } from './approval-sweeper.ts';
import { readPagingEnv } from './paging-env.ts';
import { readTelegramEnv } from './telegram-env.ts';
import { withChartData } from './chart-delivery.ts';

/**
 * Start every chat adapter the environment configures, plus the outbox consumer that turns worker
 * progress into edits of the messages the bot owns. Refuses to start with no adapter at all.
 */
export async function startBotRole(rt: Runtime, env: Env, opts: { metricsPort?: number } = {}): Promise<{ close(): Promise<void> }> {
  const metrics = createRuntimeMetrics(rt);
  const dispatch = countingDispatch(createDispatch(rt.core), metrics.countCommand);
  const chats = new Map<Platform, ChatPort>();
  const stops: Array<() => Promise<void>> = [];
  // The public port (Slack events, Discord interactions) serves /healthz only (with Redis reachability): /metrics has a port of its own.
  const healthz = redisHealthzRoute(rt.pingRedis);
  const routes: HttpRoute[] = [healthz];
  // GitOps push (issue #16): POST /gitops/webhook on this port, and polling of the fleet ref.
  const gitops = startGitopsPush(rt, () => [...chats.keys()]);
  if (gitops) {
    routes.push(gitops.route);
    stops.push(gitops.stop);
  }

  if (env.SLACK_BOT_TOKEN || env.SLACK_SIGNING_SECRET) {
    if (!env.SLACK_BOT_TOKEN || !env.SLACK_SIGNING_SECRET) throw new Error('Slack needs both SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET');
    // Each platform's library loads only when it is configured (discord.js alone is ~20 MB of heap).
    const { startSlack } = await import('../../adapters/slack/slack.adapter.ts');
    const slack = await startSlack({
      botToken: env.SLACK_BOT_TOKEN,
      signingSecret: env.SLACK_SIGNING_SECRET,
      ...(env.SLACK_APP_TOKEN ? { appToken: env.SLACK_APP_TOKEN } : {}),
      ...(env.SLACK_API_URL ? { apiUrl: env.SLACK_API_URL } : {}),
      port: env.PORT,
      dispatch,
      state: rt.state,
      logger: rt.logger,
      extraRoutes: routes,
      homeView: (actor) => homeView(rt.core, actor),
    });
    chats.set('slack', slack.chat);
    stops.push(slack.stop);
  }
  if (env.DISCORD_TOKEN || env.DISCORD_APPLICATION_ID) {
    if (!env.DISCORD_TOKEN || !env.DISCORD_APPLICATION_ID) throw new Error('Discord needs both DISCORD_TOKEN and DISCORD_APPLICATION_ID');
    const discordHttpPort = chats.has('slack') ? env.PORT + 1 : env.PORT;
    const { startDiscord } = await import('../../adapters/discord/discord.adapter.ts');
    const discord = await startDiscord({
      token: env.DISCORD_TOKEN,
      applicationId: env.DISCORD_APPLICATION_ID,
      ...(env.DISCORD_GUILD_ID ? { guildId: env.DISCORD_GUILD_ID } : {}),
      ...(env.DISCORD_API_URL ? { apiUrl: env.DISCORD_API_URL } : {}),
      mode: env.DISCORD_MODE,
      ...(env.DISCORD_PUBLIC_KEY ? { publicKey: env.DISCORD_PUBLIC_KEY } : {}),
      port: discordHttpPort,
      // Discord's HTTP endpoint owns the public port when Slack is not there: it serves the webhook too.
      ...(discordHttpPort === env.PORT ? { extraRoutes: routes.filter((r) => r.method === 'POST') } : {}),
      dispatch,
      state: rt.state,
      logger: rt.logger,
      autocomplete: (kind, prefix, actor) => autocomplete(rt.core, kind, prefix, actor),
    });
    chats.set('discord', discord.chat);
    stops.push(discord.stop);
  }
  const telegram = readTelegramEnv();
  if (telegram.TELEGRAM_BOT_TOKEN) {
    const { startTelegram } = await import('../../adapters/telegram/telegram.adapter.ts');
    const tg = await startTelegram({
      token: telegram.TELEGRAM_BOT_TOKEN,
      ...(telegram.TELEGRAM_API_URL ? { apiUrl: telegram.TELEGRAM_API_URL } : {}),
      mode: telegram.TELEGRAM_MODE,
      ...(telegram.TELEGRAM_WEBHOOK_SECRET ? { webhookSecret: telegram.TELEGRAM_WEBHOOK_SECRET } : {}),
      ...(telegram.TELEGRAM_WEBHOOK_URL ? { webhookUrl: telegram.TELEGRAM_WEBHOOK_URL } : {}),
      port: telegram.TELEGRAM_WEBHOOK_PORT,
      dispatch,
      state: rt.state,
      redis: rt.connect('state'),
      prefix: rt.prefix,
      logger: rt.logger,
    });
    chats.set('telegram', tg.chat);
    stops.push(tg.stop);
  }
  // PagerDuty webhook v3 (issue #19): acks and resolves done in PagerDuty update the alert and its thread.
  const paging = readPagingEnv();
  if (paging.PAGERDUTY_WEBHOOK_SECRET) {
    const { startPagerDutyWebhook } = await import('../../adapters/paging/pagerduty-webhook.receiver.ts');
    const hook = await startPagerDutyWebhook({ secret: paging.PAGERDUTY_WEBHOOK_SECRET, port: paging.PAGERDUTY_WEBHOOK_PORT, alerts: rt.alerts, outbox: rt.outbox, audit: rt.audit, clock: rt.core.clock, logger: rt.logger });
    stops.push(hook.close);
    rt.logger.info({ url: hook.url }, 'PagerDuty webhook listening');
  }
  if (chats.size === 0) {
    throw new Error('no chat platform is configured — set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, DISCORD_TOKEN and DISCORD_APPLICATION_ID, or TELEGRAM_BOT_TOKEN; or use `chainops console` for the terminal');
  }
  let server: Server | undefined;
  if (!chats.has('slack') && !(env.DISCORD_MODE === 'http')) {
    server = createServer(serveRoutes(routes));
    await new Promise<void>((resolve) => server!.listen(env.PORT, resolve));
  }
  const ownMetrics = await serveMetricsAlone(rt, metrics, opts.metricsPort ?? botMetricsPortFrom());
  const consumer = startOutboxConsumer({
    redis: rt.connect('events'),
    prefix: rt.prefix,
    platforms: [...chats.keys()],
    consumer: `bot-${process.pid}-${rt.core.newId()}`,
    deliver: async (item) => deliverOutboxItem(await withChartData(rt, item), (p) => chats.get(p), rt.state),
    logger: rt.logger,
  });
  const sweeper = startApprovalSweeper(rt.core);
  rt.logger.info({ platforms: [...chats.keys()] }, 'bot started');
  return {
    async close() {
      sweeper.stop();
      await consumer.stop();
      for (const stop of stops) await stop().catch(() => undefined);
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await ownMetrics.close();
      await metrics.close();
    },
  };
}
