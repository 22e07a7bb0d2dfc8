import type { HttpRequest } from '../gateway/request.js';
import { type Codec, type Decoded, type HttpResponse, base64, errorStatus, validationMessage } from './codec.js';
import { AwsError } from './errors.js';
import type { Operation, ServiceModel, Shape } from './model.js';
import { parseScalar } from './scalars.js';
import { formatTimestamp } from './timestamps.js';
import type { Violation } from './validate.js';
import { escapeXml } from './xml.js';

/**
 * The `query` protocol (IAM, STS, SNS, CloudFormation, ...) and its EC2 variant. Requests are
 * form parameters (`Action`, `Version`, members flattened as `Name.member.1`, or `Name.1` for
 * EC2); responses are XML, wrapped in `<OpResult>` for query and bare for EC2.
 */
type Params = Map<string, string>;

export async function readParams(req: HttpRequest): Promise<Params> {
  const params: Params = new Map();
  for (const [k, v] of req.query) params.set(k, v);
  if (req.method === 'POST') {
    const type = req.header('content-type') ?? '';
    const body = await req.body();
    if (body.length > 0) {
      if (type && !type.startsWith('application/x-www-form-urlencoded')) {
        throw new AwsError('InvalidParameterValue', `Content-Type ${type} is not supported; send application/x-www-form-urlencoded form parameters.`, { status: 400 });
      }
      for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.set(k, v);
    }
  }
  return params;
}

class QueryDecoder {
  private readonly keys: string[];

  constructor(private readonly model: ServiceModel, private readonly params: Params, private readonly ec2: boolean) {
    this.keys = [...params.keys()];
  }

  structure(shape: Shape, prefix: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      const member = this.model.resolve(ref);
      const key = this.ec2 ? (ref.queryName ?? upperFirst(ref.locationName ?? name)) : (ref.locationName ?? name);
      const value = this.value(member, prefix ? `${prefix}.${key}` : key);
      if (value !== undefined) out[name] = value;
    }
    return out;
  }

  private value(shape: Shape, key: string): unknown {
    switch (shape.type) {
      case 'structure':
        return this.has(key + '.') ? this.structure(shape, key) : undefined;
      case 'list': {
        if (this.params.get(key) === '') return [];
        const member = this.model.resolve(shape.member!);
        let base: string;
        if (this.ec2) base = key;
        else if (shape.flattened) base = shape.member!.locationName ? replaceLast(key, shape.member!.locationName) : key;
        else base = `${key}.${shape.member!.locationName ?? 'member'}`;
        if (!this.has(base + '.')) return undefined;
        const items: unknown[] = [];
        for (let i = 1; this.has(`${base}.${i}`); i++) items.push(this.value(member, `${base}.${i}`));
        return items;
      }
      case 'map': {
        const base = shape.flattened ? key : `${key}.entry`;
        if (!this.has(base + '.')) return undefined;
        const keyName = shape.key?.locationName ?? 'key';
        const valueName = shape.value?.locationName ?? 'value';
        const valueShape = this.model.resolve(shape.value!);
        const out: Record<string, unknown> = {};
        for (let i = 1; this.has(`${base}.${i}.`); i++) {
          const k = this.params.get(`${base}.${i}.${keyName}`);
          if (k !== undefined) out[k] = this.value(valueShape, `${base}.${i}.${valueName}`);
        }
        return out;
      }
      default: {
        const text = this.params.get(key);
        if (text === undefined) return undefined;
        const parsed = parseScalar(shape, text);
        if (!parsed.ok) {
          throw new AwsError(this.ec2 ? 'InvalidParameterValue' : 'MalformedInput', `Value (${text}) for parameter ${key} is invalid. Expected a ${shape.type}.`, { status: 400 });
        }
        return parsed.value;
      }
    }
  }

  /** Whether any parameter is `prefix` exactly or starts with `prefix` followed by `.`. */
  private has(prefix: string): boolean {
    if (prefix.endsWith('.')) return this.keys.some((k) => k.startsWith(prefix));
    return this.params.has(prefix) || this.keys.some((k) => k.startsWith(prefix + '.'));
  }
}

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function replaceLast(key: string, name: string): string {
  const dot = key.lastIndexOf('.');
  return dot < 0 ? name : `${key.slice(0, dot)}.${name}`;
}

export async function decodeQuery(req: HttpRequest, model: ServiceModel, ec2: boolean): Promise<Decoded> {
  const params = await readParams(req);
  const action = params.get('Action');
  if (!action) throw new AwsError('MissingAction', 'The request must contain the parameter Action.', { status: 400 });
  const operation = model.operations.get(action);
  if (!operation) throw new AwsError('InvalidAction', `The action ${action} is not valid for this web service.`, { status: 400 });
  const input = operation.input ? new QueryDecoder(model, params, ec2).structure(model.resolve(operation.input), '') : {};
  return { operation, input };
}

/** Writes a value as XML the way query-protocol parsers read it, appending to one string. */
class XmlOut {
  text = '';

  constructor(private readonly model: ServiceModel, private readonly ec2: boolean) {}

  members(shape: Shape, value: Record<string, unknown>): void {
    for (const m of this.model.members(shape).list) {
      const v = value[m.name];
      if (v === undefined || v === null) continue;
      this.value(m.wire, m.shape, v);
    }
  }

  value(name: string, shape: Shape, v: unknown): void {
    switch (shape.type) {
      case 'structure':
        this.text += `<${name}>`;
        this.members(shape, v as Record<string, unknown>);
        this.text += `</${name}>`;
        return;
      case 'list': {
        const member = this.model.resolve(shape.member!);
        if (shape.flattened && !this.ec2) {
          for (const item of v as unknown[]) this.value(shape.member!.locationName ?? name, member, item);
          return;
        }
        const itemName = shape.member!.locationName ?? (this.ec2 ? 'item' : 'member');
        this.text += `<${name}>`;
        for (const item of v as unknown[]) this.value(itemName, member, item);
        this.text += `</${name}>`;
        return;
      }
      case 'map': {
        const keyName = shape.key?.locationName ?? 'key';
        const valueName = shape.value?.locationName ?? 'value';
        const valueShape = this.model.resolve(shape.value!);
        if (!shape.flattened) this.text += `<${name}>`;
        for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
          this.text += `${shape.flattened ? `<${name}>` : '<entry>'}<${keyName}>${escapeXml(k)}</${keyName}>`;
          this.value(valueName, valueShape, item);
          this.text += shape.flattened ? `</${name}>` : '</entry>';
        }
        if (!shape.flattened) this.text += `</${name}>`;
        return;
      }
      default:
        this.text += `<${name}>${escapeXml(scalarText(shape, v))}</${name}>`;
    }
  }
}

export function scalarText(shape: Shape, v: unknown): string {
  switch (shape.type) {
    case 'timestamp':
      return String(formatTimestamp(v instanceof Date ? v : new Date(v as string), shape.timestampFormat ?? 'iso8601'));
    case 'blob':
      return base64(v);
    default:
      return String(v);
  }
}

const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>';

function namespace(model: ServiceModel): string {
  const ns = (model.metadata.xmlNamespace as string | undefined) ?? `http://${model.entry.endpointPrefix}.amazonaws.com/doc/${model.entry.apiVersion}/`;
  return ns.endsWith('/') ? ns : ns + '/';
}

function xmlResponse(status: number, body: string, requestId: string): HttpResponse {
  return { status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
}

export const queryCodec: Codec = {
  protocol: 'query',
  decode: (req, model) => decodeQuery(req, model, false),
  encode(model, op, output, requestId) {
    const out = new XmlOut(model, false);
    out.text = `${XML_DECL}<${op.name}Response xmlns="${namespace(model)}">`;
    if (op.output) {
      const wrapper = op.output.resultWrapper ?? `${op.name}Result`;
      out.text += `<${wrapper}>`;
      out.members(model.resolve(op.output), (output ?? {}) as Record<string, unknown>);
      out.text += `</${wrapper}>`;
    }
    out.text += `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${op.name}Response>`;
    return xmlResponse(200, out.text, requestId);
  },
  encodeError(model, err, requestId) {
    const extra = Object.entries(err.fields).map(([k, v]) => `<${k}>${escapeXml(String(v))}</${k}>`).join('');
    const body = `${XML_DECL}<ErrorResponse xmlns="${namespace(model)}"><Error><Type>${err.sender ? 'Sender' : 'Receiver'}</Type>` +
      `<Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message>${extra}</Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
    return xmlResponse(errorStatus(model, err), body, requestId);
  },
  validationError: (violations) => new AwsError('ValidationError', validationMessage(violations), { status: 400 }),
};

export const ec2Codec: Codec = {
  protocol: 'ec2',
  decode: (req, model) => decodeQuery(req, model, true),
  encode(model, op: Operation, output, requestId) {
    const out = new XmlOut(model, true);
    out.text = `${XML_DECL}<${op.name}Response xmlns="${namespace(model)}"><requestId>${requestId}</requestId>`;
    if (op.output) out.members(model.resolve(op.output), (output ?? {}) as Record<string, unknown>);
    out.text += `</${op.name}Response>`;
    return xmlResponse(200, out.text, requestId);
  },
  encodeError(model, err, requestId) {
    const body = `${XML_DECL}<Response><Errors><Error><Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message></Error></Errors>` +
      `<RequestID>${requestId}</RequestID></Response>`;
    return xmlResponse(errorStatus(model, err), body, requestId);
  },
  validationError(violations: Violation[]) {
    const v = violations[0]!;
    if (v.kind === 'required') return new AwsError('MissingParameter', `The request must contain the parameter ${v.member}`, { status: 400 });
    return new AwsError('InvalidParameterValue', v.message.replace(/^Value (.*) at '.*?' failed/, `Value ($1) for parameter ${v.member} is invalid. It failed`), { status: 400 });
  },
};
