import { Readable } from 'node:stream';
import { type Codec, errorStatus, validationMessage } from './codec.js';
import { AwsError } from './errors.js';
import { fromJson, jsonErrorBody, parseJsonBody, toJson } from './json.js';
import { decodeRest, encodeBindings } from './rest.js';

/** `rest-json` (Lambda, API Gateway, ...): URI templates and HTTP bindings, JSON bodies. */
export const restJsonCodec: Codec = {
  protocol: 'rest-json',
  decode: (req, model, route) => decodeRest(req, model, route, (shape, body, path) => fromJson(model, shape, parseJsonBody(body), path)),
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
