#!/usr/bin/env node
/**
 * The `nimbus` command: loads the CommonJS bundle of the CLI (scripts/bundle.mjs) with V8 code
 * caches made at build time, so start-up neither parses the bundle nor compiles, on first
 * call, the functions that run before the first request answers. A cache V8 rejects (another
 * Node.js version, other V8 flags, a changed file) only costs the normal compile.
 *
 * Node 22 has module.enableCompileCache() for this; Node 20 has only vm.Script's cachedData.
 * The hook follows v8-compile-cache's: it replaces Module.prototype._compile for the files
 * of this folder, and builds `require` the way Node's own loader does.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Script } from 'node:vm';

interface CjsModule {
  require(id: string): unknown;
  _compile(content: string, filename: string): unknown;
  exports: unknown;
}
interface CjsModuleClass {
  prototype: CjsModule;
  wrap(content: string): string;
  _resolveFilename(request: string, parent: CjsModule, isMain: boolean, options?: unknown): string;
  _cache: unknown;
  _extensions: unknown;
}

// `module.constructor` is Node's Module class; require('node:module') would load four more built-ins.
const Module = module.constructor as unknown as CjsModuleClass;
const folder = __dirname + '/';
const cacheFile = (filename: string) => `${folder}code-cache/${filename.slice(folder.length)}.bin`;
/** Set by scripts/bundle.mjs's training run: write each file's cache when the process exits. */
const training = process.env['NIMBUS_WRITE_CODE_CACHE'] === '1';
const compiled: [string, Script][] = [];

const compile = Module.prototype._compile;
Module.prototype._compile = function (this: CjsModule, content: string, filename: string) {
  if (!filename.startsWith(folder)) return compile.call(this, content, filename);
  let cachedData: Buffer | undefined;
  if (!training) {
    try {
      cachedData = readFileSync(cacheFile(filename));
    } catch {
      // No cache for this file: compile it normally.
    }
  }
  const script = new Script(Module.wrap(content), { filename, ...(cachedData ? { cachedData } : {}) });
  if (training) compiled.push([filename, script]);
  const mod = this;
  const req = Object.assign((id: string) => mod.require(id), {
    resolve: (request: string, options?: unknown) => Module._resolveFilename(request, mod, false, options),
    main: require.main,
    cache: Module._cache,
    extensions: Module._extensions,
  });
  const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
  return wrapper.call(mod.exports, mod.exports, req, mod, filename, folder.slice(0, -1));
};

if (training) {
  process.once('exit', () => {
    for (const [filename, script] of compiled) writeFileSync(cacheFile(filename), script.createCachedData());
  });
}

require('./cli.cjs');
