import type { HttpRequest } from '../gateway/request.js';
import { type Codec, base64, errorStatus, validationMessage } from './codec.js';
import { AwsError } from './errors.js';
import { queryErrorCode } from './query-compat.js';
import type { ServiceModel, Shape } from './model.js';
import { formatTimestamp, parseTimestamp } from './timestamps.js';

/**
 * JSON values <-> typed values, walking the shape: timestamps become Dates, blobs Buffers.
 * Shared by the `json` and `rest-json` protocols.
 */
export function fromJson(model: ServiceModel, shape: Shape, value: unknown, path: string): unknown {
  if (value === null) return undefined;
  const wrong = () => new AwsError('SerializationException', `Unexpected value type for '${path}': expected ${shape.type}.`, { status: 400 });
  switch (shape.type) {
    case 'structure': {
      if (shape.document) return value;
      if (typeof value !== 'object' || Array.isArray(value)) throw wrong();
      const src = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      // Walk what the request carries, not every member the model knows (DynamoDB's AttributeValue
      // has ten members and each value sets one). Unknown members are ignored, as AWS does.
      const { byWire } = model.members(shape);
      for (const key in src) {
        const m = byWire.get(key);
        const v = src[key];
        if (m === undefined || m.ref.location || v === undefined || v === null) continue;
        out[m.name] = fromJson(model, m.shape, v, m.name);
      }
      return out;
    }
    case 'list': {
      if (!Array.isArray(value)) throw wrong();
      const member = model.resolve(shape.member!);
      return value.map((v, i) => fromJson(model, member, v, `${path}.${i}`));
    }
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) throw wrong();
      const valueShape = model.resolve(shape.value!);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (v !== null) out[k] = fromJson(model, valueShape, v, `${path}.${k}`);
      }
      return out;
    }
    case 'timestamp': {
      const d = parseTimestamp(value);
      if (!d) throw wrong();
      return d;
    }
    case 'blob':
      if (typeof value !== 'string') throw wrong();
      return Buffer.from(value, 'base64');
    case 'boolean':
      if (typeof value !== 'boolean') throw wrong();
      return value;
    case 'integer': case 'long': case 'float': case 'double': case 'bigdecimal': case 'biginteger':
      if (typeof value !== 'number') throw wrong();
      return value;
    default:
      if (typeof value !== 'string') throw wrong();
      return value;
  }
}

export function toJson(model: ServiceModel, shape: Shape, value: unknown): unknown {
  switch (shape.type) {
    case 'structure': {
      if (shape.document) return value;
      const src = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      const { byName } = model.members(shape);
      for (const key in src) {
        const m = byName.get(key);
        const v = src[key];
        if (m === undefined || m.ref.location || v === undefined || v === null) continue;
        out[m.wire] = toJson(model, m.shape, v);
      }
      return out;
    }
    case 'list': {
      const member = model.resolve(shape.member!);
      return (value as unknown[]).map((v) => toJson(model, member, v));
    }
    case 'map': {
      const valueShape = model.resolve(shape.value!);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = toJson(model, valueShape, v);
      return out;
    }
    case 'timestamp':
      return formatTimestamp(value instanceof Date ? value : new Date(value as string), shape.timestampFormat ?? 'unixTimestamp');
    case 'blob':
      return base64(value);
    default:
      return value;
  }
}

export function parseJsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AwsError('SerializationException', 'The request body is not valid JSON.', { status: 400 });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AwsError('SerializationException', 'The request body must be a JSON object.', { status: 400 });
  }
  return parsed as Record<string, unknown>;
}

/** The JSON error body members: the shape's own `Message`/`message` spelling, plus extra fields. */
export function jsonErrorBody(model: ServiceModel, err: AwsError): Record<string, unknown> {
  const shape = model.errorShape(err.code);
  const key = shape?.members && 'Message' in shape.members ? 'Message' : 'message';
  return { [key]: err.message, ...err.fields };
}

export async function decodeJsonRequest(req: HttpRequest, model: ServiceModel) {
  const target = req.header('x-amz-target') ?? '';
  const dot = target.lastIndexOf('.');
  const name = dot < 0 ? '' : target.slice(dot + 1);
  const operation = model.operations.get(name);
  if (!operation || target.slice(0, dot) !== model.entry.targetPrefix) {
    throw new AwsError('UnknownOperationException', target ? `Unknown operation ${target}` : 'Missing X-Amz-Target header', { status: 400 });
  }
  const body = parseJsonBody(await req.body());
  const input = operation.input ? (fromJson(model, model.resolve(operation.input), body, '') as Record<string, unknown>) : {};
  return { operation, input };
}

export const jsonCodec: Codec = {
  protocol: 'json',
  decode: (req, model) => decodeJsonRequest(req, model),
  encode(model, op, output, requestId) {
    const body = op.output ? JSON.stringify(toJson(model, model.resolve(op.output), output ?? {})) : '{}';
    return {
      status: 200,
      headers: { 'content-type': `application/x-amz-json-${model.entry.jsonVersion ?? '1.0'}`, 'x-amzn-requestid': requestId },
      body,
    };
  },
  encodeError(model, err, requestId) {
    const headers: Record<string, string> = {
      'content-type': `application/x-amz-json-${model.entry.jsonVersion ?? '1.0'}`,
      'x-amzn-requestid': requestId,
      ...err.headers,
    };
    // Services that moved from query to JSON (SQS) still tell older clients the query error code.
    if (model.metadata.awsQueryCompatible) headers['x-amzn-query-error'] = `${queryErrorCode(model, err.code)};${err.sender ? 'Sender' : 'Receiver'}`;
    return { status: errorStatus(model, err), headers, body: JSON.stringify({ __type: err.code, ...jsonErrorBody(model, err) }) };
  },
  validationError: (violations) => new AwsError('ValidationException', validationMessage(violations), { status: 400 }),
};
