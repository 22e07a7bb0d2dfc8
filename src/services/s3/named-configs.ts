import type { AnalyticsConfiguration, IntelligentTieringConfiguration, InventoryConfiguration, MetricsConfiguration, Operations } from '../../generated/types/s3.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers, RequestContext } from '../service.js';
import { getBucket, sql } from './store.js';

/**
 * Bucket configurations kept by id, several per bucket: analytics, metrics, inventory and
 * Intelligent-Tiering. Each family has Get/Put/Delete by id and a List of up to 100 per page.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBucketMetricsConfigurations.html
 */
type Family = 'analytics' | 'metrics' | 'inventory' | 'intelligent-tiering';

const PAGE = 100;

function put(ctx: RequestContext, bucket: string, family: Family, id: string, document: { Id?: string }): undefined {
  getBucket(ctx, bucket);
  if (document.Id !== undefined && document.Id !== id) {
    throw new AwsError('InvalidArgument', 'The Id in the configuration does not match the id in the request.', { status: 400, fields: { ArgumentName: 'id', ArgumentValue: id } });
  }
  sql(ctx, 'INSERT INTO s3_bucket_configs (bucket, kind, document) VALUES (?, ?, ?) ON CONFLICT (bucket, kind) DO UPDATE SET document = excluded.document')
    .run(bucket, `${family}:${id}`, JSON.stringify({ ...document, Id: id }));
  return undefined;
}

function get<T>(ctx: RequestContext, bucket: string, family: Family, id: string): T {
  getBucket(ctx, bucket);
  const r = sql(ctx, 'SELECT document FROM s3_bucket_configs WHERE bucket = ? AND kind = ?').get(bucket, `${family}:${id}`) as { document: string } | undefined;
  if (!r) throw new AwsError('NoSuchConfiguration', 'The specified configuration does not exist.', { status: 404 });
  return JSON.parse(r.document) as T;
}

function remove(ctx: RequestContext, bucket: string, family: Family, id: string): undefined {
  get(ctx, bucket, family, id);
  sql(ctx, 'DELETE FROM s3_bucket_configs WHERE bucket = ? AND kind = ?').run(bucket, `${family}:${id}`);
  return undefined;
}

/** A page of a family's configurations in id order; the continuation token is the last id. */
function list<T>(ctx: RequestContext, bucket: string, family: Family, token: string | undefined): { items: T[]; page: { IsTruncated: boolean; ContinuationToken?: string; NextContinuationToken?: string } } {
  getBucket(ctx, bucket);
  const rows = sql(ctx, 'SELECT kind, document FROM s3_bucket_configs WHERE bucket = ? AND kind > ? AND kind < ? ORDER BY kind LIMIT ?')
    .all(bucket, `${family}:${token ?? ''}`, `${family};`, PAGE + 1) as { kind: string; document: string }[];
  const items = rows.slice(0, PAGE);
  const truncated = rows.length > PAGE;
  return {
    items: items.map((r) => JSON.parse(r.document) as T),
    page: {
      IsTruncated: truncated,
      ...(token !== undefined ? { ContinuationToken: token } : {}),
      ...(truncated ? { NextContinuationToken: items[items.length - 1]!.kind.slice(family.length + 1) } : {}),
    },
  };
}

export const namedConfigHandlers: Handlers<Operations> = {
  PutBucketAnalyticsConfiguration: (input, ctx) => put(ctx, input.Bucket, 'analytics', input.Id, input.AnalyticsConfiguration),
  GetBucketAnalyticsConfiguration: (input, ctx) => ({ AnalyticsConfiguration: get(ctx, input.Bucket, 'analytics', input.Id) }),
  DeleteBucketAnalyticsConfiguration: (input, ctx) => remove(ctx, input.Bucket, 'analytics', input.Id),
  ListBucketAnalyticsConfigurations(input, ctx) {
    const { items, page } = list<AnalyticsConfiguration>(ctx, input.Bucket, 'analytics', input.ContinuationToken);
    return { ...page, AnalyticsConfigurationList: items };
  },

  PutBucketMetricsConfiguration: (input, ctx) => put(ctx, input.Bucket, 'metrics', input.Id, input.MetricsConfiguration),
  GetBucketMetricsConfiguration: (input, ctx) => ({ MetricsConfiguration: get(ctx, input.Bucket, 'metrics', input.Id) }),
  DeleteBucketMetricsConfiguration: (input, ctx) => remove(ctx, input.Bucket, 'metrics', input.Id),
  ListBucketMetricsConfigurations(input, ctx) {
    const { items, page } = list<MetricsConfiguration>(ctx, input.Bucket, 'metrics', input.ContinuationToken);
    return { ...page, MetricsConfigurationList: items };
  },

  PutBucketInventoryConfiguration: (input, ctx) => put(ctx, input.Bucket, 'inventory', input.Id, input.InventoryConfiguration),
  GetBucketInventoryConfiguration: (input, ctx) => ({ InventoryConfiguration: get(ctx, input.Bucket, 'inventory', input.Id) }),
  DeleteBucketInventoryConfiguration: (input, ctx) => remove(ctx, input.Bucket, 'inventory', input.Id),
  ListBucketInventoryConfigurations(input, ctx) {
    const { items, page } = list<InventoryConfiguration>(ctx, input.Bucket, 'inventory', input.ContinuationToken);
    return { ...page, InventoryConfigurationList: items };
  },

  PutBucketIntelligentTieringConfiguration: (input, ctx) => put(ctx, input.Bucket, 'intelligent-tiering', input.Id, input.IntelligentTieringConfiguration),
  GetBucketIntelligentTieringConfiguration: (input, ctx) => ({ IntelligentTieringConfiguration: get(ctx, input.Bucket, 'intelligent-tiering', input.Id) }),
  DeleteBucketIntelligentTieringConfiguration: (input, ctx) => remove(ctx, input.Bucket, 'intelligent-tiering', input.Id),
  ListBucketIntelligentTieringConfigurations(input, ctx) {
    const { items, page } = list<IntelligentTieringConfiguration>(ctx, input.Bucket, 'intelligent-tiering', input.ContinuationToken);
    return { ...page, IntelligentTieringConfigurationList: items };
  },
};
