import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { authenticate, authError, type AuthDeps, type Caller } from './gateway/authenticate.js';
import type { Authorizer } from './gateway/authorize.js';
import { internalRoute, type InternalDeps } from './gateway/internal.js';
import type { Recorder } from './gateway/record.js';
import { HttpRequest } from './gateway/request.js';
import { route } from './gateway/route.js';
import { parseSignature } from './gateway/sigv4.js';
import { codecFor, fallbackError } from './protocols/codecs.js';
import type { HttpResponse, RouteInfo } from './protocols/codec.js';
import { AwsError, internalError, isAwsError } from './protocols/errors.js';
import { allowsAnonymous, loadModel, type Operation, type ServiceModel } from './protocols/model.js';
import { validate } from './protocols/validate.js';
import type { ServiceRegistry } from './services/registry.js';
import type { RequestContext, ServiceEnv } from './services/service.js';
import { BlobStream } from './state/blobs.js';
import { requestId as newRequestId } from './ids.js';

export interface PipelineDeps {
  env: ServiceEnv;
  auth: AuthDeps;
  services: ServiceRegistry;
  recorder: Recorder;
  internal: InternalDeps;
  authorize?: Authorizer;
  maxBodyBytes: number;
}

/** One request answered: the response to write, and what the audit trail records of it. */
export interface Exchange {
  request: HttpRequest;
  response: HttpResponse;
  started: bigint;
  model?: ServiceModel;
  operation?: Operation;
  route?: RouteInfo;
  caller?: Caller;
  errorCode?: string;
}

export interface Handler {
  /** A request node:http parsed: Nimbus's own routes, and every request `http1.ts` leaves to node:http. */
  incoming(raw: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Answers a request through the pipeline; the caller writes the response, then records it. */
  answer(req: HttpRequest): Promise<Exchange>;
  record(x: Exchange): void;
}

/**
 * The request pipeline of DESIGN.md §1, one named step per line:
 * internal routes -> route -> authenticate -> decode -> validate -> authorize -> handle -> encode -> record.
 */
export function createHandler(d: PipelineDeps): Handler {
  // Without enforcement every authenticated caller may do everything, as root may.
  const authorize: Authorizer = d.authorize ?? (() => {});

  const answer = async (req: HttpRequest): Promise<Exchange> => {
    // What the steps learn, for encoding an error and for the audit trail; the response comes last.
    const x: Omit<Exchange, 'response'> = { request: req, started: process.hrtime.bigint() };
    const pipeline = async (): Promise<HttpResponse> => {
      const sig = parseSignature(req);
      const routeInfo = x.route = await route(req, sig, d.env.defaultRegion);
      if (!routeInfo) throw new AwsError('UnknownService', `Nimbus knows no AWS service for credential scope '${sig?.ok ? sig.sig.service : ''}'.`, { status: 400 });
      const model = x.model = loadModel(routeInfo.service);
      const codec = codecFor(model, req);
      const caller = x.caller = await authenticate(req, sig, codec.protocol, d.auth);
      // Object.assign rather than a spread: V8 (Node 20) builds `{ ...env, more }` through a slow
      // path, costing microseconds per request.
      const ctx: RequestContext = Object.assign({
        requestId: req.id,
        service: model.id,
        operation: '',
        accountId: caller.accountId,
        region: routeInfo.region,
        caller,
        request: req,
      }, d.env);
      const intercepted = await (await d.services.intercept(model.id))?.(req, ctx);
      if (intercepted) return intercepted;
      // An unsigned request is refused before its body is read, as AWS does, unless the service
      // answers some operation without a signature: then the operation decides.
      const anonymous = caller.kind === 'anonymous' && model.id !== 's3';
      if (anonymous && !model.hasAnonymousOperations) throw authError('missing', codec.protocol);
      const decoded = await codec.decode(req, model, routeInfo);
      const op = x.operation = decoded.operation;
      ctx.operation = op.name;
      if (anonymous && !allowsAnonymous(op)) throw authError('missing', codec.protocol);
      const violations = validate(model, op.input, decoded.input);
      if (violations.length > 0) throw codec.validationError(violations);
      await authorize(ctx, model, op, decoded.input);
      const handler = await d.services.handler(model.id, op.name);
      if (!handler) {
        throw new AwsError('NotImplemented', `Nimbus does not implement ${model.entry.serviceId} ${op.name} yet.`, { status: 501, sender: false });
      }
      const output = await handler(decoded.input, ctx);
      return codec.encode(model, op, output, req.id);
    };
    let response: HttpResponse;
    try {
      response = await pipeline();
    } catch (e) {
      const err = isAwsError(e) ? e : internalError();
      if (!isAwsError(e)) d.recorder.log('error', `${req.id} ${x.model?.id ?? '?'}.${x.operation?.name ?? '?'} failed: ${(e as Error)?.stack ?? String(e)}`);
      x.errorCode = err.code;
      response = x.model ? codecFor(x.model, req).encodeError(x.model, err, req.id) : fallbackError(err, req.id);
    }
    return Object.assign(x, { response });
  };

  const record = (x: Exchange): void => {
    d.recorder.record({
      at: d.env.clock.now(),
      requestId: x.request.id,
      endpointPrefix: x.model?.entry.endpointPrefix ?? x.route?.service ?? 'unknown',
      eventName: x.operation?.name ?? 'Unknown',
      awsRegion: x.route?.region ?? d.env.defaultRegion,
      sourceIPAddress: x.request.remoteAddress,
      userIdentity: { arn: x.caller?.arn ?? 'unknown', accountId: x.caller?.accountId ?? 'unknown' },
      httpStatus: x.response.status,
      errorCode: x.errorCode,
      // process.hrtime, not performance.now(): the global performance loads nine modules at start-up.
      durationMs: Number(process.hrtime.bigint() - x.started) / 1e6,
    });
  };

  const incoming = async (raw: IncomingMessage, res: ServerResponse): Promise<void> => {
    const req = HttpRequest.incoming(raw, newRequestId(), d.maxBodyBytes);
    if (req.path.startsWith('/_')) {
      try {
        if (await internalRoute(raw, res, req.path, req.query, d.internal)) return;
      } catch (e) {
        d.recorder.log('error', `internal route ${req.path} failed: ${(e as Error).stack}`);
        if (!res.headersSent) res.writeHead(500).end();
        return;
      }
    }
    const x = await answer(req);
    req.discardUnread();
    await send(res, x.response, req.method === 'HEAD');
    record(x);
  };

  return { incoming, answer, record };
}

/** The response's headers as written: with the server's name, and the length of a body in memory. */
export function responseHeaders(r: HttpResponse): Record<string, string | string[] | number> {
  // Object.assign, not `{ ...r.headers, server }`: V8 in Node 20 builds a spread followed by more
  // members through a slow path that costs microseconds per response.
  const headers: Record<string, string | string[] | number> = Object.assign({}, r.headers);
  headers['server'] = 'Nimbus';
  const body = r.body;
  if (headers['content-length'] === undefined && (body === undefined || typeof body === 'string' || Buffer.isBuffer(body))) {
    headers['content-length'] = body === undefined ? 0 : Buffer.byteLength(body);
  }
  return headers;
}

function send(res: ServerResponse, r: HttpResponse, head: boolean): Promise<void> {
  const headers = responseHeaders(r);
  const body = r.body;
  if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) {
    res.writeHead(r.status, headers);
    res.end(head ? undefined : body);
    return Promise.resolve();
  }
  res.writeHead(r.status, headers);
  if (head) {
    (body as Readable).destroy();
    res.end();
    return Promise.resolve();
  }
  // A stored blob writes itself, reusing its buffers once the socket has taken them.
  if (body instanceof BlobStream) return body.writeTo(res);
  return new Promise((resolve) => {
    const stream = body as Readable;
    stream.on('error', () => res.destroy());
    res.on('close', () => {
      stream.destroy();
      resolve();
    });
    stream.pipe(res);
  });
}
