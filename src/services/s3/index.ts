import type { Operations } from '../../generated/types/s3.js';
import { resourceFacts, withAccess } from './access.js';
import type { Handler, Handlers, ServiceDefinition } from '../service.js';
import { bucketHandlers } from './buckets.js';
import { configHandlers } from './configs.js';
import { listObjects, putObject } from './deliveries.js';
import { preflight, withCors } from './cors.js';
import { armLifecycle } from './lifecycle.js';
import { listingHandlers } from './listing.js';
import { lockHandlers } from './locks.js';
import { multipartHandlers } from './multipart.js';
import { namedConfigHandlers } from './named-configs.js';
import { objectSettingHandlers } from './object-settings.js';
import { objectHandlers } from './objects.js';
import { postObject } from './post-object.js';
import { migrations } from './store.js';
import { website } from './website.js';

const handlers: Handlers<Operations> = {
  ...bucketHandlers,
  ...configHandlers,
  ...namedConfigHandlers,
  ...objectHandlers,
  ...objectSettingHandlers,
  ...lockHandlers,
  ...listingHandlers,
  ...multipartHandlers,
};

/** S3: buckets, objects and their versions, listings, multipart uploads and bucket configuration. */
export const service: ServiceDefinition<Operations> = {
  migrations,
  // Bucket policy and ACLs are checked before every handler; every answer to a browser origin
  // carries the bucket's CORS headers, errors included.
  handlers: Object.fromEntries(Object.entries(handlers).map(([name, h]) => [name, withCors(withAccess(h as Handler))])) as Handlers<Operations>,
  resourcePolicy: resourceFacts,
  // Objects other services deliver into buckets (DynamoDB exports), and read from them (DynamoDB imports).
  events: { 'put-object': putObject, 'list-objects': listObjects },
  // The website endpoint, browser form uploads and CORS preflight are not operations of the model.
  async intercept(req, ctx) {
    // Every S3 request passes here first: the place to make sure lifecycle rules run on this instance's clock.
    armLifecycle(ctx);
    return website(req, ctx) ?? (await postObject(req, ctx)) ?? preflight(req, ctx);
  },
};
