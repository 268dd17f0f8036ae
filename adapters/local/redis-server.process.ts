import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { exitedWith, keepTail, killWithParent, waitFor, waitForExit } from './wait-for.ts';

const REDIS_BIN = '/usr/bin/redis-server';

export interface RedisServerOptions {
  /** TCP port on 127.0.0.1. @defaultValue a free port picked by the kernel */
  port?: number;
  /** Data dir (AOF files). @defaultValue a temp dir of its own, removed by `stop()` */
  dir?: string;
  /** Keep an append-only file so a restart keeps the data. @defaultValue true */
  appendonly?: boolean;
  /** The redis-server binary. @defaultValue /usr/bin/redis-server */
  bin?: string;
  /** More `redis-server` arguments (`--replicaof h p`, `--cluster-enabled yes` …). @defaultValue none */
  extraArgs?: string[];
}

export interface RedisServerHandle {
  url: string;
  port: number;
  dir: string;
  /** Current pid (changes after `restart()`). */
  readonly pid: number;
  /** Stop the server (SIGTERM, awaits exit) and remove the dir if it was created here. */
  stop(): Promise<void>;
  /** Stop and start again on the same port and dir; with AOF the data survives. */
  restart(): Promise<void>;
  /** SIGKILL (a crash: no AOF fsync, clients see the socket drop); resolves once it has exited. */
  kill(): Promise<void>;
}

/** One raw PING over RESP; resolves true on `+PONG`. Keeps a client library out of the launcher. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    let buf = '';
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.once('error', () => done(false));
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('\r\n')) done(buf.startsWith('+PONG'));
    });
  });
}

/** Spawn (argument array, no shell) and wait for PING; the child is killed if it never answers. */
async function launch(port: number, dir: string, appendonly: boolean, cleanup: () => void, bin = REDIS_BIN, extraArgs: string[] = []): Promise<{ child: ChildProcess; output: () => string }> {
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--appendonly', appendonly ? 'yes' : 'no',
    '--save', '',
    '--daemonize', 'no',
    ...extraArgs,
  ];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = keepTail(child);
  // If this process dies (crash, Ctrl-C), the server dies with it and its temp dir goes too.
  killWithParent(child, cleanup);
  try {
    await waitFor(() => ping(port), {
      what: `redis-server on port ${port} to answer PING`,
      intervalMs: 25,
      failIf: () => exitedWith(child, output),
    });
  } catch (err) {
    child.kill('SIGKILL');
    await waitForExit(child);
    throw err;
  }
  return { child, output };
}

/** Start a throwaway `redis-server` on 127.0.0.1 and wait until it answers PING. */
export async function startRedisServer(opts: RedisServerOptions = {}): Promise<RedisServerHandle> {
  const appendonly = opts.appendonly ?? true;
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'chainops-redis-')));
  const cleanup = () => {
    if (ownDir) rmSync(dir, { recursive: true, force: true });
  };

  // A free port may be taken before Redis binds it; then try another, unless the caller fixed it.
  let port = opts.port ?? (await freePort());
  let current: ChildProcess;
  for (let attempt = 0; ; attempt++) {
    try {
      current = (await launch(port, dir, appendonly, cleanup, opts.bin, opts.extraArgs)).child;
      break;
    } catch (err) {
      const inUse = /address already in use/i.test(String(err));
      if (!inUse || opts.port !== undefined || attempt >= 4) {
        cleanup();
        throw err;
      }
      port = await freePort();
    }
  }

  // SIGTERM (not SIGKILL) lets Redis fsync the AOF before it exits, which is what restart() relies on.
  const stopChild = async () => {
    current.kill('SIGTERM');
    await waitForExit(current);
  };
  let stopped = false;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    get pid() {
      return current.pid ?? -1;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopChild();
      if (ownDir) await rm(dir, { recursive: true, force: true });
    },
    async restart() {
      if (stopped) throw new Error('this redis-server was stopped; start a new one');
      await stopChild();
      current = (await launch(port, dir, appendonly, cleanup, opts.bin, opts.extraArgs)).child;
    },
    async kill() {
      current.kill('SIGKILL');
      await waitForExit(current);
    },
  };
}
