import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeRedisTarget, parseRedisUrl, RedisUrlError } from '../../adapters/redis/redis-url.ts';
import { reconnectOnReadonly, redactRedisUrl } from '../../adapters/redis/redis-connection.ts';
import { queuePrefix, storePrefix } from '../../src/ports/key-layout.ts';
import { readEnv } from '../../src/main/env.ts';

describe('REDIS_URL', () => {
  it('redis:// and rediss:// with user, password and db', () => {
    assert.deepEqual(parseRedisUrl('redis://127.0.0.1:6390'), { mode: 'single', host: '127.0.0.1', port: 6390, db: 0, tls: false });
    assert.deepEqual(parseRedisUrl('rediss://chainops:s%40cret@redis.example.com:6380/2'), {
      mode: 'single', host: 'redis.example.com', port: 6380, db: 2, username: 'chainops', password: 's@cret', tls: true,
    });
    assert.deepEqual(parseRedisUrl('redis://:pw@h'), { mode: 'single', host: 'h', port: 6379, db: 0, password: 'pw', tls: false });
  });

  it('redis+sentinel:// lists sentinels (default port 26379) and names the master', () => {
    assert.deepEqual(parseRedisUrl('redis+sentinel://app:pw@s1:26380,s2,10.0.0.3:26381/mymaster/1'), {
      mode: 'sentinel', sentinels: [{ host: 's1', port: 26380 }, { host: 's2', port: 26379 }, { host: '10.0.0.3', port: 26381 }],
      name: 'mymaster', db: 1, username: 'app', password: 'pw', tls: false,
    });
  });

  it('redis+cluster:// lists seed nodes; rediss+cluster:// is its TLS form', () => {
    assert.deepEqual(parseRedisUrl('rediss+cluster://u:p@a:7000,b:7001'), {
      mode: 'cluster', nodes: [{ host: 'a', port: 7000 }, { host: 'b', port: 7001 }], username: 'u', password: 'p', tls: true,
    });
  });

  it('a bad URL is refused with the accepted forms and without its password', () => {
    const bad = ['localhost:6379', 'http://h:1', 'redis://a:1,b:2', 'redis+sentinel://s1,s2', 'redis+cluster://a:1/3', 'redis://h:99999', 'redis://user:hunter2@h:1/x'];
    for (const url of bad) {
      assert.throws(() => parseRedisUrl(url), (e: unknown) => {
        assert.ok(e instanceof RedisUrlError, url);
        assert.match(e.message, /redis\+sentinel:\/\/\[user:password@\]h1:p1,h2:p2,h3:p3\/<master-name>/, url);
        assert.match(e.message, /redis\+cluster:\/\//, url);
        assert.doesNotMatch(e.message, /hunter2/, url);
        return true;
      });
    }
    assert.throws(() => readEnv({ REDIS_URL: 'redis+sentinel://:hunter2@s1:1' }), (e: Error) => /REDIS_URL: names no master/.test(e.message) && !e.message.includes('hunter2'));
  });

  it('the logged form never holds the password', () => {
    assert.equal(describeRedisTarget(parseRedisUrl('redis+sentinel://app:hunter2@s1:1,s2:2/m')), 'redis+sentinel://app@s1:1,s2:2/m');
    assert.equal(redactRedisUrl('rediss://:hunter2@h:6380'), 'rediss://***@h:6380');
    assert.equal(redactRedisUrl('not a url hunter2'), '<unparsable redis url>');
  });

  it('READONLY (a demoted primary) reconnects and resends; other errors do not', () => {
    assert.equal(reconnectOnReadonly(new Error("READONLY You can't write against a read only replica.")), 2);
    assert.equal(reconnectOnReadonly(new Error('ERR wrong number of arguments')), false);
  });
});

describe('key layout', () => {
  it('each store and each queue has its own Cluster hash tag; keys keep the prefix:… shape', () => {
    assert.equal(storePrefix('chainops', 'state'), '{chainops:state}');
    assert.equal(queuePrefix('chainops', 'health'), '{chainops:q:health}');
    const tags = new Set([storePrefix('p', 'state'), storePrefix('p', 'alerts'), queuePrefix('p', 'health'), queuePrefix('p', 'upgrade')]);
    assert.equal(tags.size, 4);
  });
});
