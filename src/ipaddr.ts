import { createRequire } from 'node:module';
import type IpAddr from 'ipaddr.js';

/**
 * ipaddr.js, required rather than imported: an ESM import of this CommonJS package makes Node
 * lex its whole source for named exports first, about 50 ms of Nimbus's start-up.
 */
export const ipaddr: typeof IpAddr = createRequire(import.meta.url)('ipaddr.js');
