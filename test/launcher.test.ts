import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { Script } from 'node:vm';
import { CLI } from './helpers.js';

const Module = createRequire(import.meta.url)('node:module') as { wrap(source: string): string };
const folder = new URL('.', `file://${CLI}`).pathname;

describe('the nimbus command', () => {
  it('compiles what start-up and a first request load from the code cache the build wrote', () => {
    const caches = readdirSync(`${folder}code-cache`);
    // The start-up files and STS's chunk, at least: the build answered one GetCallerIdentity.
    assert.ok(caches.includes('cli.cjs.bin'), `caches: ${caches.join(', ')}`);
    assert.ok(caches.some((c) => c.startsWith('sts-')), `caches: ${caches.join(', ')}`);
    for (const cache of caches) {
      const filename = folder + cache.slice(0, -'.bin'.length);
      const script = new Script(Module.wrap(readFileSync(filename, 'utf8')), { filename, cachedData: readFileSync(`${folder}code-cache/${cache}`) });
      assert.equal(script.cachedDataRejected, false, `V8 rejected the code cache of ${cache}`);
    }
  });
});
