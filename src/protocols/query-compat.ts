import { type Codec, errorStatus } from './codec.js';
import { AwsError } from './errors.js';
import { type RawModel, ServiceModel, type Shape } from './model.js';
import { queryCodec } from './query.js';

/**
 * SQS moved from the query protocol to JSON in 2023 (its model says `awsQueryCompatible`), but
 * older SDKs and CLIs still send query requests. Its JSON model lost the query names, which
 * followed one rule: every list and map is flattened under the member's singular name, lists
 * of structures under the structure's name, and map entries as Name/Value (tags: Key/Value).
 * This rebuilds those names from that rule, so the ordinary query codec can serve SQS.
 */
const EXCEPTIONS: Record<string, string> = { Actions: 'ActionName' };

function singular(member: string): string {
  if (EXCEPTIONS[member]) return EXCEPTIONS[member]!;
  const name = member.charAt(0).toUpperCase() + member.slice(1);
  return name.endsWith('ies') ? name.slice(0, -3) + 'y' : name.endsWith('s') ? name.slice(0, -1) : name;
}

function rewrite(raw: RawModel): RawModel {
  const shapes: Record<string, Shape> = {};
  for (const [name, shape] of Object.entries(raw.shapes)) {
    if (shape.type !== 'structure' || !shape.members) {
      shapes[name] = shape;
      continue;
    }
    const members: Record<string, Shape> = {};
    for (const [m, ref] of Object.entries(shape.members)) {
      const target = ref.shape ? raw.shapes[ref.shape] : undefined;
      if (target?.type === 'list') {
        const item = target.member?.shape ? raw.shapes[target.member.shape] : undefined;
        members[m] = { ...ref, flattened: true, locationName: item?.type === 'structure' ? target.member!.shape! : singular(m) };
      } else if (target?.type === 'map') {
        const tags = /^tags$/i.test(m);
        members[m] = {
          ...ref, flattened: true, locationName: singular(m),
          key: { ...target.key!, locationName: tags ? 'Key' : 'Name' },
          value: { ...target.value!, locationName: 'Value' },
        };
      } else {
        members[m] = ref;
      }
    }
    shapes[name] = { ...shape, members };
  }
  return { ...raw, metadata: { ...raw.metadata, protocol: 'query', xmlNamespace: `http://queue.amazonaws.com/doc/${raw.metadata['apiVersion'] as string}/` }, shapes };
}

/**
 * The query error codes of SQS's errors, which its JSON model no longer carries: query clients
 * see these in `<Code>`, JSON clients in the `x-amzn-query-error` header.
 */
const QUERY_ERROR_CODES: Record<string, string> = {
  QueueDoesNotExist: 'AWS.SimpleQueueService.NonExistentQueue',
  QueueNameExists: 'QueueAlreadyExists',
  QueueDeletedRecently: 'AWS.SimpleQueueService.QueueDeletedRecently',
  PurgeQueueInProgress: 'AWS.SimpleQueueService.PurgeQueueInProgress',
  MessageNotInflight: 'AWS.SimpleQueueService.MessageNotInflight',
  BatchEntryIdsNotDistinct: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
  BatchRequestTooLong: 'AWS.SimpleQueueService.BatchRequestTooLong',
  EmptyBatchRequest: 'AWS.SimpleQueueService.EmptyBatchRequest',
  InvalidBatchEntryId: 'AWS.SimpleQueueService.InvalidBatchEntryId',
  TooManyEntriesInBatchRequest: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
  UnsupportedOperation: 'AWS.SimpleQueueService.UnsupportedOperation',
};

/** The query protocol's code for an error of a query-compatible JSON service. */
export function queryErrorCode(model: ServiceModel, code: string): string {
  return model.errorShape(code)?.error?.code ?? QUERY_ERROR_CODES[code] ?? code;
}

const derived = new WeakMap<ServiceModel, ServiceModel>();

function queryModel(model: ServiceModel): ServiceModel {
  let m = derived.get(model);
  if (!m) {
    m = new ServiceModel(model.id, model.entry, rewrite(model.raw));
    derived.set(model, m);
  }
  return m;
}

export const queryCompatCodec: Codec = {
  protocol: 'query',
  decode: async (req, model, route) => {
    const q = queryModel(model);
    const decoded = await queryCodec.decode(req, q, route);
    // Hand the pipeline the JSON model's operation, so validation and handlers see one model.
    return { operation: model.operations.get(decoded.operation.name)!, input: decoded.input };
  },
  encode: (model, op, output, requestId) => {
    const q = queryModel(model);
    return queryCodec.encode(q, q.operations.get(op.name)!, output, requestId);
  },
  encodeError: (model, err, requestId) => {
    const code = queryErrorCode(model, err.code);
    const queryErr = code === err.code ? err : new AwsError(code, err.message, { status: errorStatus(model, err), sender: err.sender, fields: err.fields, headers: err.headers });
    return queryCodec.encodeError(queryModel(model), queryErr, requestId);
  },
  validationError: queryCodec.validationError,
};
