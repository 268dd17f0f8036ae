import type { JsonRpcClient } from './json-rpc.client.ts';

/** What every chain checker needs from outside. */
export interface CheckerDeps {
  /** The shared pooled client; one per process. */
  client: JsonRpcClient;
  /** Stamps snapshots; default `Date.now`. */
  now?: () => number;
  /** Where `rpc_auth.password_env` is looked up; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}
