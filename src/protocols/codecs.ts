import type { HttpRequest } from '../gateway/request.js';
import type { Codec, HttpResponse } from './codec.js';
import type { AwsError } from './errors.js';
import { jsonCodec } from './json.js';
import type { Protocol, ServiceModel } from './model.js';
import { ec2Codec, queryCodec } from './query.js';
import { queryCompatCodec } from './query-compat.js';
import { restJsonCodec } from './rest-json.js';
import { restXmlCodec } from './rest-xml.js';
import { escapeXml } from './xml.js';

const CODECS: Record<Protocol, Codec> = {
  query: queryCodec,
  ec2: ec2Codec,
  json: jsonCodec,
  'rest-json': restJsonCodec,
  'rest-xml': restXmlCodec,
};

/**
 * The codec of a request: the model's protocol, except that services which moved from query
 * to JSON (`awsQueryCompatible`, i.e. SQS) still accept query requests from older clients.
 */
export function codecFor(model: ServiceModel, req: HttpRequest): Codec {
  if (model.protocol === 'json' && model.metadata.awsQueryCompatible && !req.header('x-amz-target') &&
      (req.query.has('Action') || (req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded'))) {
    return queryCompatCodec;
  }
  return CODECS[model.protocol];
}

/** An error before any service is known: the query protocol's generic shape. */
export function fallbackError(err: AwsError, requestId: string): HttpResponse {
  return {
    status: err.status ?? 400,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: `<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><Error><Type>${err.sender ? 'Sender' : 'Receiver'}</Type><Code>${escapeXml(err.code)}</Code>` +
      `<Message>${escapeXml(err.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}
