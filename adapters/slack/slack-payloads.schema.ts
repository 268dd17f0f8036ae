import { z } from 'zod';

/**
 * The slices of Slack's inbound payloads the adapter reads (docs.slack.dev: slash command fields,
 * Events API envelopes, block_actions and view_submission payloads). Unknown keys are dropped.
 */

const slackId = z.string().min(1).max(64);

/** `/chainops …` — form fields of a slash command request. */
export const slashCommandSchema = z.object({
  command: z.string(),
  text: z.string().default(''),
  team_id: slackId,
  /** Set on Enterprise Grid: the organisation the workspace belongs to. */
  enterprise_id: slackId.optional(),
  user_id: slackId,
  channel_id: slackId,
  trigger_id: z.string().min(1),
  response_url: z.string().optional(),
});
export type SlashCommandPayload = z.infer<typeof slashCommandSchema>;

/** Outer Events API body: `event_id` identifies a delivery across Slack's retries. */
export const eventEnvelopeSchema = z.object({
  team_id: slackId,
  enterprise_id: slackId.nullable().optional(),
  event_id: z.string().min(1),
});

/** `@ChainOps status`, at top level or inside a thread. */
export const appMentionSchema = z.object({
  type: z.literal('app_mention'),
  user: slackId,
  text: z.string().default(''),
  channel: slackId,
  ts: z.string(),
  thread_ts: z.string().optional(),
  bot_id: z.string().optional(),
});
export type AppMentionEvent = z.infer<typeof appMentionSchema>;

export const appHomeOpenedSchema = z.object({
  type: z.literal('app_home_opened'),
  user: slackId,
  tab: z.string().optional(),
});

/** A button click. `container` says where the button lives (message, ephemeral, view). */
export const blockActionsSchema = z.object({
  type: z.literal('block_actions'),
  team: z.object({ id: slackId }).nullable().optional(),
  enterprise: z.object({ id: slackId }).nullable().optional(),
  user: z.object({ id: slackId, team_id: z.string().optional() }),
  channel: z.object({ id: slackId }).optional(),
  container: z
    .object({
      type: z.string(),
      message_ts: z.string().optional(),
      channel_id: z.string().optional(),
      thread_ts: z.string().optional(),
      is_ephemeral: z.boolean().optional(),
    })
    .optional(),
  message: z.object({ ts: z.string(), thread_ts: z.string().optional() }).optional(),
  actions: z
    .array(z.object({ action_id: z.string().min(1), value: z.string().optional(), type: z.string(), action_ts: z.string().max(40).optional() }))
    .min(1),
  trigger_id: z.string().optional(),
  response_url: z.string().optional(),
});
export type BlockActionsPayload = z.infer<typeof blockActionsSchema>;

/** A modal submit: input values live under state.values[block_id][action_id].value. */
export const viewSubmissionSchema = z.object({
  type: z.literal('view_submission'),
  team: z.object({ id: slackId }).nullable().optional(),
  enterprise: z.object({ id: slackId }).nullable().optional(),
  user: z.object({ id: slackId, team_id: z.string().optional() }),
  view: z.object({
    id: z.string(),
    callback_id: z.string(),
    private_metadata: z.string().default(''),
    state: z.object({
      values: z.record(z.string(), z.record(z.string(), z.object({ value: z.string().nullable().optional() }))),
    }),
  }),
});
export type ViewSubmissionPayload = z.infer<typeof viewSubmissionSchema>;
