import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding Nimbus's package.json: two levels above this module, whether it runs as
 * compiled (dist/src/package.js) or inside the bundle the CLI starts from (dist/bundle/*.cjs).
 */
export const packageRoot = fileURLToPath(new URL('../..', import.meta.url));

export const VERSION = (JSON.parse(readFileSync(`${packageRoot}package.json`, 'utf8')) as { version: string }).version;
