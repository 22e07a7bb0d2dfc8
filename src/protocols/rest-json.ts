import { Readable } from 'node:stream';
import { type Codec, errorStatus, validationMessage } from './codec.js';
import { AwsError } from './errors.js';
import { fromJson, jsonErrorBody, parseJsonBody, toJson } from './json.js';
import { decodeBindings, encodeBindings, matchOperation } from './rest.js';

/** `rest-json` (Lambda, API Gateway, ...): URI templates and HTTP bindings, JSON bodies. */
export const restJsonCodec: Codec = {
  protocol: 'rest-json',
  async decode(req, model, route) {
    const { op, labels } = matchOperation(model, req, route);
    if (!op.input) return { operation: op, input: {} };
    const shape = model.resolve(op.input);
    const input = decodeBindings(model, shape, req, labels);
    if (shape.payload) {
      const ref = shape.members![shape.payload]!;
      const payload = model.resolve(ref);
      if (payload.type === 'blob' && (payload.streaming || ref.streaming)) input[shape.payload] = req.stream();
      else {
        const body = await req.body();
        if (body.length > 0) {
          if (payload.type === 'blob') input[shape.payload] = body;
          else if (payload.type === 'string') input[shape.payload] = body.toString('utf8');
          else input[shape.payload] = fromJson(model, payload, parseJsonBody(body), shape.payload);
        }
      }
    } else if (Object.values(shape.members ?? {}).some((m) => !m.location)) {
      Object.assign(input, fromJson(model, shape, parseJsonBody(await req.body()), '') as Record<string, unknown>);
    }
    return { operation: op, input };
  },
  encode(model, op, output, requestId) {
    const headers: Record<string, string | string[]> = { 'x-amzn-requestid': requestId };
    let status = op.http.responseCode ?? 200;
    let body: string | Buffer | Readable | undefined;
    if (op.output) {
      const shape = model.resolve(op.output);
      const value = (output ?? {}) as Record<string, unknown>;
      status = encodeBindings(model, shape, value, headers) ?? status;
      if (shape.payload) {
        const payload = model.resolve(shape.members![shape.payload]!);
        const v = value[shape.payload];
        if (payload.type === 'blob' || payload.type === 'string') {
          headers['content-type'] ??= 'application/octet-stream';
          body = v === undefined ? undefined : v instanceof Readable || Buffer.isBuffer(v) ? v : String(v);
        } else if (v !== undefined) {
          headers['content-type'] = 'application/json';
          body = JSON.stringify(toJson(model, payload, v));
        }
      } else {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(toJson(model, shape, value));
      }
    }
    return { status, headers, body };
  },
  encodeError(model, err, requestId) {
    return {
      status: errorStatus(model, err),
      headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId, 'x-amzn-errortype': err.code, ...err.headers },
      body: JSON.stringify(jsonErrorBody(model, err)),
    };
  },
  validationError: (violations) => new AwsError('ValidationException', validationMessage(violations), { status: 400 }),
};
