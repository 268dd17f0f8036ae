import { ENV_RE, ID_RE, NAME_RE, SCHEDULED_ID_RE, VERSION_RE } from '../fleet/names.ts';
import { parseDuration } from '../fleet/fleet.schema.ts';
import type { ValueKind } from './grammar.ts';

const MAX_DURATION_MS = 30 * 86_400_000;
const WAVES_RE = /^(\d{1,4}|\d{1,3}%)(,(\d{1,4}|\d{1,3}%)){0,9}$/;

export type ValueCheck = { ok: true; value: string | number | boolean } | { ok: false; why: string };

/** Validate one raw word against its kind's tight pattern; `why` tells the user what fits. */
export function checkValue(kind: ValueKind, raw: string, choices?: readonly string[]): ValueCheck {
  switch (kind) {
    case 'node':
    case 'group':
    case 'target':
      return NAME_RE.test(raw) ? { ok: true, value: raw } : { ok: false, why: 'use lowercase letters, digits and dashes (e.g. geth-prod or eth-1)' };
    case 'env':
      return ENV_RE.test(raw) ? { ok: true, value: raw } : { ok: false, why: 'use an environment name such as dev, staging or prod' };
    case 'version':
      return VERSION_RE.test(raw) ? { ok: true, value: raw } : { ok: false, why: 'use a version such as 1.14.3, v1.14.3 or 1.14.3-rc.1' };
    case 'id':
      return ID_RE.test(raw) || SCHEDULED_ID_RE.test(raw) ? { ok: true, value: raw } : { ok: false, why: 'use an id as the bot showed it, such as up-4f2a9c (a job), ap-7k2m9x (an approval) or al-x1y2z3 (an alert); `/chainops jobs` lists job ids' };
    case 'count': {
      if (!/^\d{1,4}$/.test(raw)) return { ok: false, why: 'use a whole number from 1 to 1000' };
      const n = Number(raw);
      return n >= 1 && n <= 1000 ? { ok: true, value: n } : { ok: false, why: 'use a whole number from 1 to 1000' };
    }
    case 'duration': {
      if (!/^\d{1,7}(s|m|h|d)$/.test(raw)) return { ok: false, why: 'use a duration such as 30m, 2h or 1d' };
      const ms = parseDuration(raw);
      return ms > 0 && ms <= MAX_DURATION_MS ? { ok: true, value: ms } : { ok: false, why: 'use a duration between 1s and 30d' };
    }
    case 'waves':
      if (!WAVES_RE.test(raw)) return { ok: false, why: 'use wave sizes such as 1,25%,100%' };
      if (raw.split(',').some((w) => parseInt(w, 10) === 0)) return { ok: false, why: 'a wave of 0 nodes would never finish; use sizes of at least 1 (or 1%), such as 1,25%,100%' };
      return raw.split(',').some((w) => w.endsWith('%') && parseInt(w, 10) > 100) ? { ok: false, why: 'a wave is at most 100% of the nodes' } : { ok: true, value: raw };
    case 'choice':
      return choices?.includes(raw) ? { ok: true, value: raw } : { ok: false, why: `use one of ${(choices ?? []).join(', ')}` };
    case 'bool':
      return raw === 'true' || raw === 'false' ? { ok: true, value: raw === 'true' } : { ok: false, why: 'use true or false, or leave the value out' };
    case 'text':
      // Free text never reaches a shell; still refuse control characters and keep it short for chat and logs.
      if (raw.length > 300) return { ok: false, why: 'keep it under 300 characters' };
      // eslint-disable-next-line no-control-regex
      return /[\u0000-\u001f\u007f]/.test(raw) ? { ok: false, why: 'remove control characters' } : { ok: true, value: raw };
  }
}
