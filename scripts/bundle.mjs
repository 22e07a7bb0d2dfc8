// Bundles the CLI (dist/src/cli.js, compiled by tsc) into dist/bundle/: one file for start-up
// and one chunk per lazily imported part (each service, the IAM engine, the XML parser).
// Node 20 spends most of Nimbus's start-up resolving, reading and linking some forty ES
// modules one by one; a bundle reads three files before the first request. The library API
// (dist/src/index.js) stays unbundled: it is imported into the user's own process.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

const outdir = new URL('../dist/bundle/', import.meta.url).pathname;
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [new URL('../dist/src/cli.js', import.meta.url).pathname],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // aws-sdk is read for its model files only; `bindings` is never called (database.ts names the addon).
  external: ['aws-sdk', 'bindings'],
  // The CommonJS dependencies (better-sqlite3) call require(), which an ES module lacks.
  banner: { js: "import { createRequire as __nimbusRequire } from 'node:module'; const require = __nimbusRequire(import.meta.url);" },
  logLevel: 'warning',
});
