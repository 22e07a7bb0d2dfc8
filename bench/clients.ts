import { Agent } from 'node:http';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { loop, type LoadResult, type Server } from './lib.js';

/** What the service benchmarks share: one keep-alive SDK transport and a warmed-up measurement. */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const handler = new NodeHttpHandler({ httpAgent: agent });
const creds = { accessKeyId: 'test', secretAccessKey: 'test' };

/** SDK v3 client configuration for a server on 127.0.0.1:port. */
export const config = (port: number, extra: Record<string, unknown> = {}) =>
  ({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: creds, requestHandler: handler, maxAttempts: 1, ...extra });

/** A labelled measurement, optionally next to the baseline it is compared with. */
export type Row = [string, LoadResult, LoadResult?];

/**
 * Two seconds of warm-up, then the measured run. The figure wanted is a warm server's cost per
 * request: with one second, a c=1 load (a few hundred SDK calls) still ran partly in V8's
 * baseline tiers and charged the optimizing compiler's threads to the requests measured.
 */
export async function measure(server: Server, call: () => Promise<unknown>, c: number, seconds: number): Promise<LoadResult> {
  await loop(server, call, c, Math.min(2, seconds));
  return loop(server, call, c, seconds);
}

export function closeBenchClients(): void {
  agent.destroy();
}
