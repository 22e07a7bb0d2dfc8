import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../state/clock.js';
import { parseDuration } from '../state/clock.js';
import type { ServiceRegistry } from '../services/registry.js';
import type { ServiceEnv } from '../services/service.js';
import type { Recorder } from './record.js';

/** Nimbus's own routes: health (and LocalStack's alias), reset, the clock, the audit trail, and those services add (`/_nimbus/<service>/<name>`). */
export interface InternalDeps {
  version: string;
  startedAt: number;
  services: ServiceRegistry;
  clock: Clock;
  recorder: Recorder;
  reset: () => void;
  /** What services' own internal routes are given. */
  env: ServiceEnv;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 65536) throw new Error('body too large');
  }
  if (!text.trim()) return {};
  const v = JSON.parse(text) as unknown;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('expected a JSON object');
  return v as Record<string, unknown>;
}

function serviceStates(d: InternalDeps): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of d.services.available) out[s] = d.services.isLoaded(s) ? 'running' : 'available';
  return out;
}

function clockState(clock: Clock) {
  return { now: clock.date().toISOString(), epochMillis: clock.now(), offsetMillis: clock.offset };
}

/** Answers the request if it is an internal route; returns false otherwise. */
export async function internalRoute(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams, d: InternalDeps): Promise<boolean> {
  const method = req.method ?? 'GET';
  switch (path) {
    case '/_nimbus/health':
    case '/_nimbus/health/':
      send(res, 200, { status: 'running', version: d.version, uptimeSeconds: Math.round((Date.now() - d.startedAt) / 1000), services: serviceStates(d) });
      return true;
    case '/_localstack/health':
      send(res, 200, { services: serviceStates(d), edition: 'community', version: d.version });
      return true;
    case '/_nimbus/reset':
      if (method !== 'POST') return methodNotAllowed(res);
      d.reset();
      send(res, 200, { reset: true });
      return true;
    case '/_nimbus/clock': {
      if (method === 'GET') {
        send(res, 200, clockState(d.clock));
        return true;
      }
      if (method !== 'POST') return methodNotAllowed(res);
      let body: Record<string, unknown>;
      try {
        body = await readJson(req);
      } catch (e) {
        send(res, 400, { error: 'BadRequest', message: `The body must be a JSON object such as {"advance":"1h"}: ${(e as Error).message}` });
        return true;
      }
      const given = (body['advance'] ?? query.get('advance')) as string | number | undefined;
      const ms = given === undefined ? undefined : parseDuration(given);
      if (ms === undefined) {
        send(res, 400, { error: 'BadRequest', message: 'Say how far to advance the clock: {"advance":"90s"} (units ms, s, m, h, d; a bare number is seconds).' });
        return true;
      }
      d.clock.advance(ms);
      send(res, 200, clockState(d.clock));
      return true;
    }
    case '/_nimbus/audit':
      send(res, 200, { events: d.recorder.events() });
      return true;
    default: {
      const own = /^\/_nimbus\/([a-z0-9-]+)\/([a-z0-9-]+)$/.exec(path);
      const answer = own && d.services.available.has(own[1]!) ? (await d.services.load(own[1]!))?.internalRoutes?.[own[2]!] : undefined;
      if (answer) {
        const r = await answer({ method, query }, d.env);
        if (r.contentType && typeof r.body === 'string') res.writeHead(r.status, { 'content-type': r.contentType, 'content-length': Buffer.byteLength(r.body) }).end(r.body);
        else send(res, r.status, r.body);
        return true;
      }
      if (path.startsWith('/_nimbus/') || path.startsWith('/_localstack/')) {
        send(res, 404, { error: 'NotFound', message: `No Nimbus route ${path}.` });
        return true;
      }
      return false;
    }
  }
}

function methodNotAllowed(res: ServerResponse): true {
  send(res, 405, { error: 'MethodNotAllowed', message: 'Use POST.' });
  return true;
}
