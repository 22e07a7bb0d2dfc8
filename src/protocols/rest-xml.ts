import { Readable } from 'node:stream';
import { type Codec, errorStatus } from './codec.js';
import { AwsError } from './errors.js';
import type { ServiceModel, Shape } from './model.js';
import { scalarText } from './query.js';
import { decodeRest, encodeBindings } from './rest.js';
import { parseScalar } from './scalars.js';
import { escapeXml, parseXml, type XmlNode } from './xml.js';

/** `rest-xml` (S3, Route 53, CloudFront): URI templates and HTTP bindings, XML bodies. */

function fromXml(model: ServiceModel, shape: Shape, node: XmlNode | XmlNode[] | undefined, path: string): unknown {
  if (node === undefined) return undefined;
  switch (shape.type) {
    case 'structure': {
      const el = (Array.isArray(node) ? node[0] : node) as Record<string, XmlNode | XmlNode[]>;
      if (typeof el !== 'object') return {};
      const out: Record<string, unknown> = {};
      for (const [name, ref] of Object.entries(shape.members ?? {})) {
        if (ref.location) continue;
        const member = model.resolve(ref);
        const xmlName = (ref.locationName ?? name).replace(/^.*:/, '');
        const child = ref.xmlAttribute ? el[`@_${xmlName}`] : member.type === 'list' && member.flattened ? el[member.member?.locationName ?? xmlName] ?? el[xmlName] : el[xmlName];
        const v = member.type === 'list' && member.flattened ? flatList(model, member, child, `${path}.${name}`) : fromXml(model, member, child, `${path}.${name}`);
        if (v !== undefined) out[name] = v;
      }
      return out;
    }
    case 'list': {
      if (shape.flattened) return flatList(model, shape, node, path);
      const el = (Array.isArray(node) ? node[0] : node) as Record<string, XmlNode | XmlNode[]>;
      if (typeof el !== 'object') return [];
      return flatList(model, shape, el[shape.member!.locationName ?? 'member'], path);
    }
    case 'map': {
      const el = (Array.isArray(node) ? node[0] : node) as Record<string, XmlNode | XmlNode[]>;
      const entries = shape.flattened ? node : el?.['entry'];
      const out: Record<string, unknown> = {};
      const valueShape = model.resolve(shape.value!);
      for (const e of ([] as XmlNode[]).concat(entries ?? []) as Record<string, XmlNode>[]) {
        const k = text(e[shape.key?.locationName ?? 'key']);
        out[k] = fromXml(model, valueShape, e[shape.value?.locationName ?? 'value'], `${path}.${k}`);
      }
      return out;
    }
    default: {
      const t = text(Array.isArray(node) ? node[0] : node);
      const parsed = parseScalar(shape, t);
      if (!parsed.ok) throw new AwsError('MalformedXML', `The XML you provided was not well-formed or did not validate against our published schema (${path}).`, { status: 400 });
      return parsed.value;
    }
  }
}

function flatList(model: ServiceModel, shape: Shape, node: XmlNode | XmlNode[] | undefined, path: string): unknown[] | undefined {
  if (node === undefined) return undefined;
  const member = model.resolve(shape.member!);
  return ([] as XmlNode[]).concat(node).map((n, i) => fromXml(model, member, n, `${path}.${i + 1}`));
}

function text(node: XmlNode | undefined): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node;
  const t = node['#text'];
  return typeof t === 'string' ? t : '';
}

async function parseXmlBody(body: Buffer): Promise<{ name: string; node: XmlNode }> {
  const doc = await parseXml(body.toString('utf8'));
  if (!doc) throw new AwsError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.', { status: 400 });
  return doc;
}

class XmlWriter {
  parts: string[] = [];

  constructor(private readonly model: ServiceModel) {}

  element(name: string, shape: Shape, v: unknown, ns?: Shape['xmlNamespace']): void {
    const p = this.parts;
    let attrs = '';
    // A namespace may sit on the member or on the shape itself (S3's Grantee declares `xsi`).
    ns ??= shape.xmlNamespace;
    if (ns) attrs += typeof ns === 'string' ? ` xmlns="${ns}"` : ns.prefix ? ` xmlns:${ns.prefix}="${ns.uri}"` : ` xmlns="${ns.uri}"`;
    switch (shape.type) {
      case 'structure': {
        const value = v as Record<string, unknown>;
        for (const [m, ref] of Object.entries(shape.members ?? {})) {
          if (ref.xmlAttribute && value[m] !== undefined) attrs += ` ${ref.locationName ?? m}="${escapeXml(String(value[m]))}"`;
        }
        p.push(`<${name}${attrs}>`);
        this.members(shape, value);
        p.push(`</${name}>`);
        return;
      }
      case 'list': {
        const member = this.model.resolve(shape.member!);
        if (shape.flattened) {
          for (const item of v as unknown[]) this.element(name, member, item);
          return;
        }
        p.push(`<${name}${attrs}>`);
        for (const item of v as unknown[]) this.element(shape.member!.locationName ?? 'member', member, item);
        p.push(`</${name}>`);
        return;
      }
      case 'map': {
        const valueShape = this.model.resolve(shape.value!);
        if (!shape.flattened) p.push(`<${name}${attrs}>`);
        for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
          p.push(shape.flattened ? `<${name}>` : '<entry>', `<${shape.key?.locationName ?? 'key'}>${escapeXml(k)}</${shape.key?.locationName ?? 'key'}>`);
          this.element(shape.value?.locationName ?? 'value', valueShape, item);
          p.push(shape.flattened ? `</${name}>` : '</entry>');
        }
        if (!shape.flattened) p.push(`</${name}>`);
        return;
      }
      default:
        p.push(`<${name}${attrs}>${escapeXml(scalarText(shape, v))}</${name}>`);
    }
  }

  members(shape: Shape, value: Record<string, unknown>): void {
    for (const [m, ref] of Object.entries(shape.members ?? {})) {
      const v = value[m];
      if (v === undefined || v === null || ref.location || ref.xmlAttribute) continue;
      const member = this.model.resolve(ref);
      const name = member.type === 'list' && member.flattened ? member.member?.locationName ?? ref.locationName ?? m : ref.locationName ?? m;
      this.element(name, member, v, ref.xmlNamespace);
    }
  }
}

const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';

function namespaceOf(model: ServiceModel): string {
  return model.id === 's3' ? 'http://s3.amazonaws.com/doc/2006-03-01/' : `https://${model.entry.endpointPrefix}.amazonaws.com/doc/${model.entry.apiVersion}/`;
}

/**
 * The root element of a body that has no payload member. The models do not carry it; S3's
 * names are AWS's documented ones, other services use `<Operation>Response`.
 */
const S3_ROOTS: Record<string, string> = {
  ListBuckets: 'ListAllMyBucketsResult', ListDirectoryBuckets: 'ListAllMyDirectoryBucketsResult',
  ListObjects: 'ListBucketResult', ListObjectsV2: 'ListBucketResult', ListObjectVersions: 'ListVersionsResult',
  ListMultipartUploads: 'ListMultipartUploadsResult', ListParts: 'ListPartsResult',
  CreateMultipartUpload: 'InitiateMultipartUploadResult', CompleteMultipartUpload: 'CompleteMultipartUploadResult',
  GetBucketLocation: 'LocationConstraint', GetBucketVersioning: 'VersioningConfiguration', GetBucketTagging: 'Tagging',
  GetObjectTagging: 'Tagging', GetBucketAcl: 'AccessControlPolicy', GetObjectAcl: 'AccessControlPolicy',
  DeleteObjects: 'DeleteResult', GetBucketCors: 'CORSConfiguration', GetBucketLifecycleConfiguration: 'LifecycleConfiguration',
  GetBucketNotificationConfiguration: 'NotificationConfiguration', GetBucketWebsite: 'WebsiteConfiguration',
  GetObjectAttributes: 'GetObjectAttributesResponse', GetBucketLogging: 'BucketLoggingStatus',
  GetBucketRequestPayment: 'RequestPaymentConfiguration', GetBucketAccelerateConfiguration: 'AccelerateConfiguration',
  ListBucketAnalyticsConfigurations: 'ListBucketAnalyticsConfigurationResult', GetObjectRetention: 'Retention',
  GetObjectLegalHold: 'LegalHold',
};

/**
 * A body whose root is its one scalar member is that scalar as the root's text:
 * `<LocationConstraint xmlns="...">eu-west-1</LocationConstraint>` (S3 GetBucketLocation).
 */
function scalarRoot(model: ServiceModel, root: string, members: [string, Shape][]): Shape | undefined {
  if (members.length !== 1 || (members[0]![1].locationName ?? members[0]![0]) !== root) return undefined;
  const shape = model.resolve(members[0]![1]);
  return shape.type === 'structure' || shape.type === 'list' || shape.type === 'map' ? undefined : shape;
}

export const restXmlCodec: Codec = {
  protocol: 'rest-xml',
  decode: (req, model, route) => decodeRest(req, model, route, async (shape, body, path) => fromXml(model, shape, (await parseXmlBody(body)).node, path)),
  encode(model, op, output, requestId) {
    const headers: Record<string, string | string[]> = { 'x-amz-request-id': requestId, 'x-amz-id-2': requestId };
    let status = op.http.responseCode ?? 200;
    let body: string | Buffer | Readable | undefined;
    if (op.output) {
      const shape = model.resolve(op.output);
      const value = (output ?? {}) as Record<string, unknown>;
      status = encodeBindings(model, shape, value, headers) ?? status;
      const w = new XmlWriter(model);
      if (shape.payload) {
        const ref = shape.members![shape.payload]!;
        const payload = model.resolve(ref);
        const v = value[shape.payload];
        if (payload.type === 'blob' || payload.type === 'string') {
          body = v === undefined ? undefined : v instanceof Readable || Buffer.isBuffer(v) ? v : String(v);
        } else if (v !== undefined) {
          w.element(ref.locationName ?? model.shapeName(ref) ?? shape.payload, payload, v, ref.xmlNamespace ?? namespaceOf(model));
          body = XML_DECL + w.parts.join('');
        }
      } else if (Object.values(shape.members ?? {}).some((m) => !m.location)) {
        const root = (model.id === 's3' ? S3_ROOTS[op.name] : undefined) ?? model.shapeName(op.output) ?? `${op.name}Response`;
        const bodyMembers = Object.entries(shape.members ?? {}).filter(([, r]) => !r.location);
        const scalar = scalarRoot(model, root, bodyMembers);
        if (scalar) w.element(root, scalar, value[bodyMembers[0]![0]] ?? '', namespaceOf(model));
        else w.element(root, { ...shape, members: Object.fromEntries(bodyMembers) }, value, namespaceOf(model));
        body = XML_DECL + w.parts.join('');
      }
      if (typeof body === 'string') headers['content-type'] ??= 'application/xml';
    }
    return { status, headers, body };
  },
  encodeError(model, err, requestId) {
    const extra = Object.entries(err.fields).map(([k, v]) => `<${k}>${escapeXml(String(v))}</${k}>`).join('');
    const code = escapeXml(err.code);
    const message = escapeXml(err.message);
    const body = model.id === 's3'
      ? `${XML_DECL}<Error><Code>${code}</Code><Message>${message}</Message>${extra}<RequestId>${requestId}</RequestId><HostId>${requestId}</HostId></Error>`
      : `${XML_DECL}<ErrorResponse xmlns="${namespaceOf(model)}"><Error><Type>${err.sender ? 'Sender' : 'Receiver'}</Type><Code>${code}</Code><Message>${message}</Message>${extra}</Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
    return {
      status: errorStatus(model, err),
      headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId, 'x-amz-id-2': requestId, ...err.headers },
      body,
    };
  },
  validationError(violations) {
    const v = violations[0]!;
    return new AwsError(v.kind === 'required' ? 'MissingParameter' : 'InvalidArgument', v.message, { status: 400 });
  },
};
