import type { Caller } from '../gateway/authenticate.js';
import type { HttpRequest } from '../gateway/request.js';
import type { HttpResponse } from '../protocols/codec.js';
import type { ContextValue } from '../iam/match.js';
import type { BlobStore } from '../state/blobs.js';
import type { Clock } from '../state/clock.js';
import type { CredentialStore } from '../state/credentials.js';
import type { Migration, SqlDatabase } from '../state/database.js';
import type { EventBus } from '../state/events.js';

/**
 * What a service is (DESIGN.md §1): a table from operation name to handler, the schema it
 * needs, and the events it accepts from the bus. Handlers get everything through `ctx`; a
 * service module holds no state of its own.
 */
export interface ServiceEnv {
  /** The URL clients reach this instance at (`http://localhost:4566`), for QueueUrls and the like. */
  endpoint: string;
  /**
   * Runtime state that is not persisted and belongs to this instance (long-poll waiters,
   * timers, caches): `ctx.memory('sqs.waiters', () => new Map())`. Never a module global.
   * `create` is given the instance's environment, which, unlike a request's context, a timer or
   * background sweep may keep: it holds no caller, request or account of its own.
   */
  memory<T>(key: string, create: (env: ServiceEnv) => T): T;
  db: SqlDatabase;
  blobs: BlobStore;
  bus: EventBus;
  clock: Clock;
  credentials: CredentialStore;
  defaultAccountId: string;
  defaultRegion: string;
  /** Transitions take about as long as in AWS instead of settling on the next read (DESIGN.md §3). */
  realisticTiming?: boolean;
  limits: Limits;
  /**
   * Whether an AWS service may act on a resource on its own behalf (SNS sending into a queue):
   * present under IAM enforcement, where only a resource policy allowing the service principal
   * lets it, as in AWS. Absent, IAM is not enforced and services may.
   */
  allowsService?: (request: ServiceRequest) => boolean;
}

/**
 * AWS quotas that a test cannot reach at their real size, so an instance may lower them to see
 * the error a user would meet (`limits` in NimbusOptions). AWS's values by default.
 */
export interface Limits {
  /**
   * Bytes of one partition key's items in a table with local secondary indexes (10 GB):
   * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LSI.html#LSI.ItemCollections.SizeLimit
   */
  dynamodbItemCollectionBytes: number;
}

export const AWS_LIMITS: Limits = { dynamodbItemCollectionBytes: 10 * 1024 ** 3 };

/** An AWS service acting on a resource for one of its own resources (a topic delivering into a queue). */
export interface ServiceRequest {
  /** The service principal, `sns.amazonaws.com`. */
  service: string;
  action: string;
  resource: string;
  /** The resource's owner and its policy document, if it has one. */
  resourceAccount: string;
  policy?: string;
  /** The resource acting, `aws:SourceArn`, and its account, `aws:SourceAccount`. */
  sourceArn: string;
  sourceAccount: string;
}

export interface RequestContext extends ServiceEnv {
  requestId: string;
  service: string;
  operation: string;
  accountId: string;
  region: string;
  caller: Caller;
  request: HttpRequest;
}

/** An internal route's answer: JSON, unless `contentType` says the string body is something else (a PEM certificate). */
export interface InternalAnswer {
  status: number;
  body: unknown;
  contentType?: string;
}

export type InternalRoute = (req: { method: string; query: URLSearchParams }, env: ServiceEnv) => InternalAnswer | Promise<InternalAnswer>;

export type Handler<I = any, O = any> = (input: I, ctx: RequestContext) => O | Promise<O>;

/** What IAM enforcement needs to know about one resource of a service. */
export interface ResourceFacts {
  /** The account that owns the resource (an S3 bucket's owner, a queue's account). */
  account: string;
  /** The resource-based policy document (bucket policy, queue policy, topic policy, role trust policy). */
  policy?: string;
  /** The resource's tags, for `aws:ResourceTag/<key>`. */
  tags?: Record<string, string>;
  /** Condition keys of the request that only the service can work out (DynamoDB's `dynamodb:LeadingKeys`). */
  context?: Record<string, ContextValue>;
}

/**
 * Looks up a resource by ARN for the action being authorized, given the operation's input;
 * undefined when it does not exist.
 */
export type ResourcePolicyHook = (ctx: RequestContext, resourceArn: string, action: string, input: Record<string, unknown>) => ResourceFacts | undefined | Promise<ResourceFacts | undefined>;

export type Handlers<Ops> = { [K in keyof Ops]?: Ops[K] extends { input: infer I; output: infer O } ? Handler<I, O> : never };

/**
 * Handlers whose module is imported the first time one of them is called: code that only some
 * operations need stays out of the service's first request (IAM's policy engine, which STS's
 * AssumeRole needs and GetCallerIdentity does not). `names` must be exactly the operations the
 * module's handlers implement; test/sts.test.ts checks STS's.
 */
export function lazyHandlers<Ops>(names: readonly (keyof Ops & string)[], load: () => Promise<Handlers<Ops>>): Handlers<Ops> {
  let loaded: Promise<Handlers<Ops>> | undefined;
  const handlers: Record<string, Handler> = {};
  for (const name of names) {
    handlers[name] = async (input, ctx) => {
      const handler = (await (loaded ??= load()))[name] as Handler | undefined;
      if (!handler) throw new Error(`lazyHandlers: the module has no handler for ${name}`);
      return handler(input, ctx);
    };
  }
  return handlers as Handlers<Ops>;
}

export interface ServiceDefinition<Ops = Record<string, { input: any; output: any }>> {
  migrations?: readonly Migration[];
  handlers: Handlers<Ops>;
  /**
   * Requests that are not operations of the model (CORS preflight, browser form uploads, website
   * endpoints) are this service's to answer before decoding; return undefined to decode as usual.
   * `ctx.operation` is empty here.
   */
  intercept?: (req: HttpRequest, ctx: RequestContext) => HttpResponse | undefined | Promise<HttpResponse | undefined>;
  /**
   * Nimbus's own inspection routes for this service, answered at `/_nimbus/<service>/<name>`
   * (SNS's outbox of email and SMS deliveries): they answer JSON, or text of their `contentType`.
   */
  internalRoutes?: Record<string, InternalRoute>;
  /**
   * The owner, policy and tags of this service's resources, for IAM enforcement: a resource's
   * policy can grant access (another account's user reading a bucket) or deny it.
   */
  resourcePolicy?: ResourcePolicyHook;
  /** Bus events this service accepts: `"<this service>:<event>"`. */
  events?: Record<string, (payload: any, env: ServiceEnv) => void | Promise<void>>;
}
