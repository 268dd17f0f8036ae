import { z } from 'zod';

/**
 * Tight patterns for every name that can reach a shell, Ansible or Terraform. None admits a space,
 * quote, `$`, `;`, `|`, `&`, backtick, slash or leading dash, so no shell metacharacter gets through.
 */
export const NAME_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Versions: `1.14.3`, `v1.14.3`, `0.21.2.1`, `7.9.2-rc.1`, `1.14.3+build.5`. */
export const VERSION_RE = /^v?\d{1,6}(?:\.\d{1,6}){0,3}(?:-[0-9A-Za-z.]{1,32})?(?:\+[0-9A-Za-z.]{1,32})?$/;
export const ENV_RE = /^[a-z][a-z0-9-]{0,31}$/;
/** Job, rollout and approval ids the bot hands out. */
export const ID_RE = /^[a-z]{1,4}-[a-z0-9-]{4,40}$/;
/** A scheduled job's id as BullMQ makes it (`repeat:<schedule>:<millis>`), so every id `jobs` lists opens with `job`. */
export const SCHEDULED_ID_RE = /^repeat:[a-z0-9-]{1,64}:\d{1,16}$/;

export const nodeName = z
  .string()
  .regex(NAME_RE, 'use 1–63 lowercase letters, digits and dashes, starting and ending with a letter or digit');
export const groupName = nodeName;
export const envName = z.string().regex(ENV_RE, 'use lowercase letters, digits and dashes, starting with a letter');
export const version = z
  .string()
  .regex(VERSION_RE, 'use a version such as 1.14.3, v1.14.3 or 1.14.3-rc.1');
export const jobId = z.string().regex(ID_RE, 'use an id as shown by the bot, such as job-4f2a9c');
