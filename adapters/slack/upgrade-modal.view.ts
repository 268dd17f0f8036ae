import { z } from 'zod';
import { ENV_RE, NAME_RE, VERSION_RE } from '../../src/fleet/names.ts';
import type { ViewSubmissionPayload } from './slack-payloads.schema.ts';

/** callback_id of the modal `/chainops upgrade` (no arguments) opens. */
export const UPGRADE_MODAL_ID = 'chainops_upgrade';

/** Where to answer once the modal is submitted (modals have no channel of their own). */
const metaSchema = z.object({ c: z.string().min(1).max(64), t: z.string().max(64).optional() });
export type UpgradeModalMeta = { channelId: string; threadId?: string };

const FIELDS = [
  { block: 'target', label: 'Group or node', placeholder: 'geth-mainnet', re: NAME_RE, why: 'lowercase letters, digits and dashes' },
  { block: 'version', label: 'Version', placeholder: '1.14.3', re: VERSION_RE, why: 'a version such as 1.14.3 or v1.14.3-rc.1' },
  { block: 'env', label: 'Environment', placeholder: 'staging', re: ENV_RE, why: 'an environment such as dev, staging or prod' },
] as const;

/** The modal: three plain-text inputs. Validation happens on submit so errors show inline. */
export function upgradeModal(meta: UpgradeModalMeta): Record<string, unknown> {
  return {
    type: 'modal',
    callback_id: UPGRADE_MODAL_ID,
    private_metadata: JSON.stringify({ c: meta.channelId, ...(meta.threadId ? { t: meta.threadId } : {}) }),
    title: { type: 'plain_text', text: 'Upgrade nodes' },
    submit: { type: 'plain_text', text: 'Plan upgrade' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: FIELDS.map((f) => ({
      type: 'input',
      block_id: f.block,
      label: { type: 'plain_text', text: f.label },
      element: {
        type: 'plain_text_input',
        action_id: 'value',
        max_length: 64,
        placeholder: { type: 'plain_text', text: f.placeholder },
      },
    })),
  };
}

export type UpgradeSubmission =
  | { ok: true; text: string; meta: UpgradeModalMeta }
  | { ok: false; errors: Record<string, string> };

/**
 * Read a submitted modal into the command line `upgrade <target> <version> --env <env>`. Bad values
 * come back as per-field errors, which Slack shows under each input (response_action: errors).
 */
export function readUpgradeSubmission(p: ViewSubmissionPayload): UpgradeSubmission {
  const meta = metaSchema.safeParse(safeJson(p.view.private_metadata));
  if (!meta.success) return { ok: false, errors: { target: 'this form has expired — run `/chainops upgrade` again' } };
  const errors: Record<string, string> = {};
  const values: string[] = [];
  for (const f of FIELDS) {
    const value = (p.view.state.values[f.block]?.value?.value ?? '').trim();
    if (!f.re.test(value)) errors[f.block] = `use ${f.why}`;
    values.push(value);
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  const [target, version, env] = values;
  return {
    ok: true,
    text: `upgrade ${target} ${version} --env ${env}`,
    meta: { channelId: meta.data.c, ...(meta.data.t ? { threadId: meta.data.t } : {}) },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
