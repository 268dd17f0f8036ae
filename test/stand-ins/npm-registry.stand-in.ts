import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback stand-in for the npm registry's package document, for tests only: `GET /<name>` (a
 * scoped name as `@scope%2fname`) answers the full document as the registry does — `_id`, `name`,
 * `dist-tags`, `versions` (each a manifest with `name`, `version`, optional `deprecated`) and `time`
 * (`created`, `modified` and one ISO time per version) — with an `ETag`, 304 for a matching
 * `If-None-Match`, and 404 `{"error":"Not found"}` for an unknown package.
 */
export interface NpmRequest {
  name: string;
  status: number;
  ifNoneMatch?: string;
}

export interface NpmRegistryStandIn {
  /** Base for NPM_REGISTRY_URL. */
  url: string;
  requests: NpmRequest[];
  publish(name: string, version: string, opts?: { deprecated?: string; tag?: string; at?: string }): void;
  stop(): Promise<void>;
}

interface Doc {
  _id: string;
  name: string;
  'dist-tags': Record<string, string>;
  versions: Record<string, { name: string; version: string; deprecated?: string; dist: { tarball: string } }>;
  time: Record<string, string>;
}

export async function startNpmRegistryStandIn(): Promise<NpmRegistryStandIn> {
  const docs = new Map<string, Doc>();
  const requests: NpmRequest[] = [];
  const server = createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
    const inm = req.headers['if-none-match'];
    const seen: NpmRequest = { name, status: 0, ...(typeof inm === 'string' ? { ifNoneMatch: inm } : {}) };
    requests.push(seen);
    const doc = docs.get(name);
    if (req.method !== 'GET' || !doc) {
      seen.status = 404;
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'Not found' }));
      return;
    }
    const text = JSON.stringify(doc);
    const etag = `W/"${createHash('sha1').update(text).digest('hex')}"`;
    if (inm === etag) {
      seen.status = 304;
      res.writeHead(304, { etag }).end();
      return;
    }
    seen.status = 200;
    res.writeHead(200, { 'content-type': 'application/json', etag }).end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    requests,
    publish(name, version, opts = {}) {
      const at = opts.at ?? new Date().toISOString();
      const doc = docs.get(name) ?? { _id: name, name, 'dist-tags': {}, versions: {}, time: { created: at, modified: at } };
      docs.set(name, doc);
      doc.versions[version] = { name, version, ...(opts.deprecated ? { deprecated: opts.deprecated } : {}), dist: { tarball: `${url}/${name}/-/${name.split('/').pop()}-${version}.tgz` } };
      doc.time[version] = at;
      doc.time['modified'] = at;
      doc['dist-tags'][opts.tag ?? 'latest'] = version;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
