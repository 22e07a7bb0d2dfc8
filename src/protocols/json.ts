import type { HttpRequest } from '../gateway/request.js';
import { type Codec, base64, errorStatus, validationMessage } from './codec.js';
import { AwsError } from './errors.js';
import { queryErrorCode } from './query-compat.js';
import type { ServiceModel, Shape } from './model.js';
import { formatTimestamp, parseTimestamp } from './timestamps.js';

/**
 * JSON values <-> typed values, walking the shape: timestamps become Dates, blobs Buffers.
 * Shared by the `json` and `rest-json` protocols.
 *
 * Both directions copy only what changes: a parsed body whose values need no conversion (no
 * blobs or timestamps, no nulls, no members the model does not know) is its own typed input,
 * and an output that needs none is serialized as the handler returned it. A DynamoDB item is
 * then decoded and encoded without being rebuilt attribute by attribute.
 */
export function fromJson(model: ServiceModel, shape: Shape, value: unknown, path: string): unknown {
  return decode(model, shape, value, path, undefined);
}

/** `key`, when set, is the list index or map key below `path`; the two are joined only for an error message. */
function decode(model: ServiceModel, shape: Shape, value: unknown, path: string, key: string | number | undefined): unknown {
  if (value === null) return undefined;
  switch (shape.type) {
    case 'structure': {
      if (shape.document) return value;
      if (typeof value !== 'object' || Array.isArray(value)) throw wrongType(model, shape, value, path, key);
      const src = value as Record<string, unknown>;
      let out: Record<string, unknown> | undefined;
      // Walk what the request carries, not every member the model knows (DynamoDB's AttributeValue
      // has ten members and each value sets one). Unknown members are ignored, as AWS does.
      const { byWire } = model.members(shape);
      for (const k in src) {
        const m = byWire.get(k);
        const v = src[k];
        const kept = m !== undefined && !m.ref.location && v !== undefined && v !== null;
        const typed = kept ? decode(model, m.shape, v, m.name, undefined) : undefined;
        if (out === undefined) {
          if (kept && typed === v && m.wire === m.name) continue;
          out = membersBefore(src, k);
        }
        if (kept) out[m.name] = typed;
      }
      return out ?? src;
    }
    case 'list': {
      if (!Array.isArray(value)) throw wrongType(model, shape, value, path, key);
      const member = model.resolve(shape.member!);
      const here = key === undefined ? path : `${path}.${key}`;
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const v: unknown = value[i];
        const typed = decode(model, member, v, here, i);
        if (out === undefined) {
          if (typed === v) continue;
          out = value.slice(0, i);
        }
        out.push(typed);
      }
      return out ?? value;
    }
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) throw wrongType(model, shape, value, path, key);
      const valueShape = model.resolve(shape.value!);
      const src = value as Record<string, unknown>;
      const here = key === undefined ? path : `${path}.${key}`;
      let out: Record<string, unknown> | undefined;
      for (const k in src) {
        const v = src[k];
        const typed = v === null ? undefined : decode(model, valueShape, v, here, k);
        if (out === undefined) {
          if (typed === v) continue;
          out = membersBefore(src, k);
        }
        if (v !== null) out[k] = typed;
      }
      return out ?? src;
    }
    case 'timestamp': {
      const d = parseTimestamp(value);
      if (!d) throw wrongType(model, shape, value, path, key);
      return d;
    }
    case 'blob':
      if (typeof value !== 'string' || (model.protocol === 'json' && !BASE64.test(value))) throw wrongType(model, shape, value, path, key);
      return Buffer.from(value, 'base64');
    case 'boolean':
      if (typeof value !== 'boolean') return coerced(model, shape, value, path, key);
      return value;
    case 'integer': case 'long':
      if (typeof value !== 'number') throw wrongType(model, shape, value, path, key);
      return Number.isInteger(value) || model.protocol !== 'json' ? value : Math.trunc(value);
    case 'float': case 'double': case 'bigdecimal': case 'biginteger':
      if (typeof value !== 'number') throw wrongType(model, shape, value, path, key);
      return value;
    default:
      if (typeof value !== 'string') throw wrongType(model, shape, value, path, key);
      return value;
  }
}

/**
 * Canonical base64, as AWS's JSON services require of a blob: whole quanta, and no bits set
 * after the last byte (`YR==` is refused although `YQ==` is not).
 */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=|[A-Za-z0-9+/][AQgw]==)?$/;

/**
 * A JSON protocol (Coral) service reads the strings `true`/`yes`/`1` and `false`/`no`/`0`, in any
 * case, as booleans; other values of the wrong type are refused.
 */
function coerced(model: ServiceModel, shape: Shape, value: unknown, path: string, key: string | number | undefined): boolean {
  if (model.protocol === 'json' && typeof value === 'string') {
    const word = value.toUpperCase();
    if (word === 'TRUE' || word === 'YES' || word === '1') return true;
    if (word === 'FALSE' || word === 'NO' || word === '0') return false;
  }
  throw wrongType(model, shape, value, path, key);
}

/**
 * The SerializationException for a value of the wrong JSON type. AWS's JSON protocol services
 * answer in the words of their Java deserializer (Coral), as DynamoDB's recorded answers show
 * (`NUMBER_VALUE cannot be converted to String`, `Unexpected field type`, ...), naming Java
 * classes for collections; `key` set means the value is a list element or map value, which
 * Coral words apart from a structure's member. REST services keep a message naming the member.
 */
function wrongType(model: ServiceModel, shape: Shape, value: unknown, path: string, key: string | number | undefined): AwsError {
  const message = (model.protocol === 'json' ? coralMessage(model, shape, value, key !== undefined) : undefined)
    ?? `Unexpected value type for '${key === undefined ? path : `${path}.${key}`}': expected ${shape.type}.`;
  return new AwsError('SerializationException', message, { status: 400 });
}

/** Coral's answer to a scalar where a list or map nested in a list or map was expected: Java's own error. */
const PARAMETERIZED = "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to class java.lang.Class (sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and java.lang.Class are in module java.base of loader 'bootstrap')";

const JAVA_SCALARS: Partial<Record<NonNullable<Shape['type']>, string>> = {
  string: 'String', boolean: 'Boolean', integer: 'Integer', long: 'Long', float: 'Float', double: 'Double',
};

/** Coral's words, where the recorded answers show them (not for timestamps). */
function coralMessage(model: ServiceModel, shape: Shape, value: unknown, inCollection: boolean): string | undefined {
  const array = Array.isArray(value);
  const object = typeof value === 'object' && value !== null && !array;
  const scalarToken = typeof value === 'boolean' ? (value ? 'TRUE_VALUE' : 'FALSE_VALUE')
    : typeof value === 'number' ? (Number.isInteger(value) ? 'NUMBER_VALUE' : 'DECIMAL_VALUE') : 'STRING_VALUE';
  switch (shape.type) {
    case 'structure':
      if (array) return `Unrecognized collection type class ${javaClass(model, shape)}`;
      return inCollection ? 'Unexpected value type in payload' : 'Unexpected field type';
    case 'list':
      if (object) return 'Start of structure or map found where not expected';
      return inCollection ? PARAMETERIZED : 'Unexpected field type';
    case 'map':
      if (array) return `Unrecognized collection type ${javaClass(model, shape)}`;
      return inCollection ? PARAMETERIZED : 'Unexpected field type';
    case 'blob':
      if (array) return 'Unrecognized collection type class java.nio.ByteBuffer';
      if (object) return 'Start of structure or map found where not expected';
      if (typeof value !== 'string') return 'only base-64-encoded strings are convertible to bytes';
      if (value.length % 4 !== 0) return `Base64 encoded length is expected a multiple of 4 bytes but found: ${value.length}`;
      return 'Invalid last non-pad Base64 character dectected';
    default: {
      const type = JAVA_SCALARS[shape.type ?? 'string'];
      if (!type) return undefined;
      if (array) return `Unrecognized collection type class java.lang.${type}`;
      if (object) return 'Start of structure or map found where not expected';
      if (type === 'Boolean' && typeof value === 'string') return 'Unexpected token received from parser';
      return `${scalarToken} cannot be converted to ${type}`;
    }
  }
}

/**
 * The Java type Coral names for a shape: a structure is a class of the service's package
 * (`com.amazonaws.dynamodb.v20120810.Tag`), a map `java.util.Map<java.lang.String, V>`.
 * Worked out on the error path only: the resolved shape is found by its members object or its
 * value reference, which it shares with the shape the model names.
 */
function javaClass(model: ServiceModel, shape: Shape): string {
  if (shape.type === 'map') return `java.util.Map<java.lang.String, ${javaType(model, shape.value!)}>`;
  const name = Object.entries(model.raw.shapes).find(([, s]) => s.members === shape.members)?.[0] ?? 'Object';
  return `${javaPackage(model)}.${name}`;
}

function javaType(model: ServiceModel, ref: Shape): string {
  const shape = model.resolve(ref);
  switch (shape.type) {
    case 'structure': return `${javaPackage(model)}.${ref.shape}`;
    case 'list': return `java.util.List<${javaType(model, shape.member!)}>`;
    case 'map': return `java.util.Map<java.lang.String, ${javaType(model, shape.value!)}>`;
    case 'blob': return 'java.nio.ByteBuffer';
    default: return `java.lang.${JAVA_SCALARS[shape.type ?? 'string'] ?? 'Object'}`;
  }
}

/** `com.amazonaws.dynamodb.v20120810`: the endpoint prefix and the API version. */
function javaPackage(model: ServiceModel): string {
  return `com.amazonaws.${model.entry.endpointPrefix}.v${model.entry.apiVersion.replace(/-/g, '')}`;
}

/** A copy of the object's members that come before `stop`, where a walk found the first one to change. */
function membersBefore(src: Record<string, unknown>, stop: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in src) {
    if (k === stop) break;
    out[k] = src[k];
  }
  return out;
}

/**
 * An output member a handler already holds as JSON text (DynamoDB keeps items exactly as this
 * protocol writes them): written into the body as it is instead of being parsed and serialized
 * again. Only members of the output structure itself may be given this way.
 */
export class JsonText {
  constructor(readonly text: string) {}
}

export function toJson(model: ServiceModel, shape: Shape, value: unknown): unknown {
  if (value instanceof JsonText) return value;
  switch (shape.type) {
    case 'structure': {
      if (shape.document) return value;
      const src = value as Record<string, unknown>;
      let out: Record<string, unknown> | undefined;
      const { byName } = model.members(shape);
      for (const k in src) {
        const m = byName.get(k);
        const v = src[k];
        const kept = m !== undefined && !m.ref.location && v !== undefined && v !== null;
        const wire = kept ? toJson(model, m.shape, v) : undefined;
        if (out === undefined) {
          // JSON.stringify leaves out undefined members by itself.
          if (kept ? wire === v && m.wire === m.name : v === undefined) continue;
          out = membersBefore(src, k);
        }
        if (kept) out[m.wire] = wire;
      }
      return out ?? src;
    }
    case 'list': {
      const member = model.resolve(shape.member!);
      const src = value as unknown[];
      let out: unknown[] | undefined;
      for (let i = 0; i < src.length; i++) {
        const v = src[i];
        const wire = toJson(model, member, v);
        if (out === undefined) {
          if (wire === v) continue;
          out = src.slice(0, i);
        }
        out.push(wire);
      }
      return out ?? src;
    }
    case 'map': {
      const valueShape = model.resolve(shape.value!);
      const src = value as Record<string, unknown>;
      let out: Record<string, unknown> | undefined;
      for (const k in src) {
        const v = src[k];
        const wire = toJson(model, valueShape, v);
        if (out === undefined) {
          if (wire === v) continue;
          out = membersBefore(src, k);
        }
        out[k] = wire;
      }
      return out ?? src;
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

/**
 * The JSON error body members: the message under the spelling of the error's shape (or, for
 * Coral's own errors, Coral's spelling), plus extra fields.
 */
export function jsonErrorBody(model: ServiceModel, err: AwsError): Record<string, unknown> {
  return { [messageKey(model, err.code)]: err.message, ...err.fields };
}

function messageKey(model: ServiceModel, code: string): 'message' | 'Message' {
  const shape = model.errorShape(code);
  if (shape) return shape.members && 'Message' in shape.members ? 'Message' : 'message';
  return (CORAL_SERVICES[model.id] && CORAL_ERRORS[code]?.[1]) || 'message';
}

/**
 * A JSON service that names its errors as Coral (the framework behind AWS's JSON services)
 * writes them: `__type` is the error's absolute shape id, `<namespace>#<code>`. The service's
 * modeled errors are in its own namespace; the errors Coral raises before the service runs
 * (validation, deserialization, authentication) are in Coral's.
 */
interface CoralService {
  /** The namespace of the service's modeled errors. */
  namespace: string;
  /** Modeled errors whose shape belongs to another service's namespace. */
  shared?: Record<string, string>;
}

const DYNAMODB_NAMESPACE = 'com.amazonaws.dynamodb.v20120810';

/**
 * The services whose `__type` is known to carry namespaces, by model id. Other JSON services
 * keep the bare code until AWS's answers for them are checked. DynamoDB's recorded answers
 * (dynalite's tests were taken from them) show its namespace; DynamoDB Streams has its own,
 * except for the errors whose shapes it shares with DynamoDB, as the first SDK v3 clients,
 * generated from those ids, list them.
 */
const CORAL_SERVICES: Record<string, CoralService> = {
  dynamodb: { namespace: DYNAMODB_NAMESPACE },
  dynamodbstreams: {
    namespace: 'com.amazonaws.dynamodb.streams.v20120810',
    shared: { InternalServerError: DYNAMODB_NAMESPACE, LimitExceededException: DYNAMODB_NAMESPACE, ResourceNotFoundException: DYNAMODB_NAMESPACE },
  },
};

/**
 * Coral's own errors: their namespace and the spelling of their message member, as DynamoDB's
 * answers show them (`{"__type":"com.amazon.coral.service#AccessDeniedException","Message":...}`,
 * `{"__type":"com.amazon.coral.validate#ValidationException","message":...}`).
 */
const CORAL_ERRORS: Record<string, [namespace: string, messageKey: 'message' | 'Message']> = {
  ValidationException: ['com.amazon.coral.validate', 'message'],
  SerializationException: ['com.amazon.coral.service', 'Message'],
  AccessDeniedException: ['com.amazon.coral.service', 'Message'],
  UnknownOperationException: ['com.amazon.coral.service', 'message'],
  MissingAuthenticationTokenException: ['com.amazon.coral.service', 'message'],
  IncompleteSignatureException: ['com.amazon.coral.service', 'message'],
  InvalidSignatureException: ['com.amazon.coral.service', 'message'],
  UnrecognizedClientException: ['com.amazon.coral.service', 'message'],
  ExpiredTokenException: ['com.amazon.coral.service', 'message'],
  InternalFailure: ['com.amazon.coral.service', 'message'],
};

/** The `__type` of an error: namespaced for a Coral service's modeled and Coral's own errors, else the bare code. */
function errorType(model: ServiceModel, code: string): string {
  const service = CORAL_SERVICES[model.id];
  if (!service) return code;
  const namespace = model.errorShape(code) ? service.shared?.[code] ?? service.namespace : CORAL_ERRORS[code]?.[0];
  return namespace ? `${namespace}#${code}` : code;
}

async function decodeJsonRequest(req: HttpRequest, model: ServiceModel) {
  const target = req.header('x-amz-target') ?? '';
  const dot = target.lastIndexOf('.');
  const name = dot < 0 ? '' : target.slice(dot + 1);
  const operation = model.operations.get(name);
  if (!operation || target.slice(0, dot) !== model.entry.targetPrefix) {
    throw new AwsError('UnknownOperationException', target ? `Unknown operation ${target}` : 'Missing X-Amz-Target header', { status: 400 });
  }
  const raw = await req.body();
  // A Coral service reads no `{}` into an empty body: once the operation is known, it answers a
  // SerializationException (DynamoDB's recorded answer, without a message; Nimbus says what to send).
  if (raw.length === 0 && CORAL_SERVICES[model.id]) throw new AwsError('SerializationException', 'The request body is empty: send a JSON object, {} at the least.', { status: 400 });
  const body = parseJsonBody(raw);
  const input = operation.input ? (fromJson(model, model.resolve(operation.input), body, '') as Record<string, unknown>) : {};
  return { operation, input };
}

/** The response body of an output: JSON.stringify, with the members given as JsonText spliced in. */
function outputBody(output: Record<string, unknown>): string {
  let spliced = false;
  for (const k in output) if (output[k] instanceof JsonText) spliced = true;
  if (!spliced) return JSON.stringify(output);
  const members: string[] = [];
  for (const k in output) {
    const v = output[k];
    if (v !== undefined) members.push(`${JSON.stringify(k)}:${v instanceof JsonText ? v.text : JSON.stringify(v)}`);
  }
  return `{${members.join(',')}}`;
}

export const jsonCodec: Codec = {
  protocol: 'json',
  decode: (req, model) => decodeJsonRequest(req, model),
  encode(model, op, output, requestId) {
    // An operation without output answers `{}`, except in a Coral service, which sends no body
    // (DynamoDB's TagResource, as tests run against AWS record).
    const body = op.output ? outputBody(toJson(model, model.resolve(op.output), output ?? {}) as Record<string, unknown>) : CORAL_SERVICES[model.id] ? '' : '{}';
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
    return { status: errorStatus(model, err), headers, body: JSON.stringify({ __type: errorType(model, err.code), ...jsonErrorBody(model, err) }) };
  },
  validationError: (violations) => new AwsError('ValidationException', violations[0]?.alone ? violations[0].message : validationMessage(violations), { status: 400 }),
};
