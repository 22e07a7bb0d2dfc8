// Bundles the CLI (dist/src/cli.js, compiled by tsc) into dist/bundle/: one file for start-up
// and one chunk per lazily imported part (each service, the IAM engine, the XML parser).
// Node 20 spends most of Nimbus's start-up resolving, reading and linking some forty ES
// modules one by one; a bundle reads a few files before the first request. The library API
// (dist/src/index.js) stays unbundled: it is imported into the user's own process.
//
// The bundle is CommonJS, made in two passes: esbuild splits only ES modules, so the first
// pass splits, and the second turns each file into CommonJS. Node 20 loads a CommonJS main
// without starting its ES module loader, and lets the files be compiled from a code cache.
import { build, transform } from 'esbuild';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';

const outdir = new URL('../dist/bundle/', import.meta.url).pathname;
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
/**
 * createRequire(import.meta.url) is how the ES modules of dist/src require CommonJS packages; in
 * the CommonJS bundle each file's own require does the same, and loading node:module for it
 * would load Node's ES module loader too.
 */
const commonJsRequire = {
  name: 'commonjs-require',
  setup(b) {
    b.onResolve({ filter: /^node:module$/ }, () => ({ path: 'node:module', namespace: 'commonjs-require' }));
    b.onLoad({ filter: /.*/, namespace: 'commonjs-require' }, () => ({ contents: 'export const createRequire = () => require;', loader: 'js' }));
  },
};

const split = await build({
  entryPoints: [new URL('../dist/src/cli.js', import.meta.url).pathname],
  outdir,
  write: false,
  bundle: true,
  splitting: true,
  format: 'esm',
  outExtension: { '.js': '.cjs' },
  platform: 'node',
  target: 'node20',
  // aws-sdk is read for its model files only; `bindings` is never called (database.ts names the addon).
  external: ['aws-sdk', 'bindings'],
  define: { 'import.meta.url': '__nimbusUrl' },
  plugins: [commonJsRequire],
  logLevel: 'warning',
});
for (const file of split.outputFiles) {
  // The launcher, not cli.cjs, is the command: no #! line, which vm.Script would reject.
  const cjs = await transform(file.text.replace(/^#!.*\n/, ''), {
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // A lazily imported chunk becomes a require() inside a promise: same laziness, one loader.
    supported: { 'dynamic-import': false },
    banner: file.text.includes('__nimbusUrl') ? "const __nimbusUrl = require('node:url').pathToFileURL(__filename).href;" : '',
    logLevel: 'warning',
  });
  writeFileSync(file.path, cjs.code);
}

// The launcher is the `nimbus` command; it loads cli.cjs with the code caches written next.
copyFileSync(new URL('../dist/src/launcher.cjs', import.meta.url).pathname, `${outdir}nimbus.cjs`);
chmodSync(`${outdir}nimbus.cjs`, 0o755);
mkdirSync(`${outdir}code-cache`);
await trainCodeCache();

/**
 * Starts the bundle once, answers one signed GetCallerIdentity and stops it, with the launcher
 * told to write V8's code cache of each file it loaded: the cache then holds every function
 * that start-up and a first request compile.
 */
async function trainCodeCache() {
  const child = spawn(process.execPath, [`${outdir}nimbus.cjs`, 'start', '--ephemeral', '--port', '0', '--log-level', 'error'], {
    env: { ...process.env, NIMBUS_WRITE_CODE_CACHE: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let out = '';
  for await (const chunk of child.stdout) {
    out += chunk;
    if (out.includes('Ready.')) break;
  }
  const endpoint = /listening on (\S+)/.exec(out)?.[1];
  if (!endpoint) throw new Error(`the bundle did not start: ${out}`);
  const sts = new STSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await sts.send(new GetCallerIdentityCommand({}));
  sts.destroy();
  child.kill('SIGTERM');
  await exited;
}
