import type { ContextValue } from './match.js';

/**
 * What a request asks IAM for: the actions and resources of each operation, from the Service
 * Authorization Reference ("Actions, resources, and condition keys for ..."). Most operations
 * are one action of the same name on one resource; the tables below hold the exceptions, among
 * them operations that need several actions (CopyObject reads one object and writes another,
 * CreateFunction passes a role, AssumeRole with tags also tags the session).
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 */

export interface Authorization {
  action: string;
  resource: string;
  /** Service-specific condition keys of this request (`s3:prefix`, `sts:ExternalId`, ...). */
  context?: Record<string, ContextValue>;
  /** The resource's policy must itself admit the principal, even in its own account (role trust). */
  resourceRequired?: boolean;
}

export interface OperationRequest {
  service: string;
  operation: string;
  input: Record<string, unknown>;
  accountId: string;
  region: string;
  /** IAM paths of users, roles and groups are part of their ARNs; IAM knows them. */
  iamPath?: (type: 'user' | 'role' | 'group' | 'instance-profile', name: string) => string;
  /** The role an instance profile holds, for launches that pass it to EC2. */
  instanceProfileRole?: (nameOrArn: string) => string | undefined;
  /** The calling IAM user's name, for IAM operations that default to the caller. */
  callerUserName?: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Operations that need no permission: who-am-I calls, session tokens, and the federation calls
 * that the role's trust policy alone decides.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getsessiontoken.html
 */
const UNAUTHORIZED: Record<string, ReadonlySet<string>> = {
  sts: new Set(['GetCallerIdentity', 'GetAccessKeyInfo', 'GetSessionToken', 'AssumeRoleWithWebIdentity', 'AssumeRoleWithSAML']),
};

/** The IAM service prefix of each Nimbus service folder, where the two differ. */
const PREFIX: Record<string, string> = { dynamodbstreams: 'dynamodb' };

export function authorizationsFor(r: OperationRequest): Authorization[] {
  if (UNAUTHORIZED[r.service]?.has(r.operation)) return [];
  const mapper = MAPPERS[r.service];
  if (mapper) return mapper(r);
  return [{ action: `${PREFIX[r.service] ?? r.service}:${r.operation}`, resource: '*' }];
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

const MAPPERS: Record<string, (r: OperationRequest) => Authorization[]> = {
  s3: s3Authorizations,
  sqs: (r) => {
    const action = `sqs:${SQS_ACTIONS[r.operation] ?? r.operation}`;
    const url = str(r.input['QueueUrl']);
    if (url) {
      const [account, name] = new URL(url, 'http://x').pathname.split('/').filter(Boolean).slice(-2);
      return [{ action, resource: `arn:aws:sqs:${r.region}:${account ?? r.accountId}:${name ?? ''}` }];
    }
    const name = str(r.input['QueueName']);
    const owner = str(r.input['QueueOwnerAWSAccountId']) ?? r.accountId;
    return [{ action, resource: name ? `arn:aws:sqs:${r.region}:${owner}:${name}` : '*' }];
  },
  sns: (r) => {
    const action = `sns:${r.operation === 'PublishBatch' ? 'Publish' : r.operation}`;
    const topic = str(r.input['TopicArn']) ?? str(r.input['TargetArn']) ?? str(r.input['ResourceArn'])
      ?? (str(r.input['SubscriptionArn'])?.replace(/:[^:]+$/, ''))
      ?? (r.operation === 'CreateTopic' ? `arn:aws:sns:${r.region}:${r.accountId}:${str(r.input['Name'])}` : undefined);
    return [{ action, resource: topic ?? '*' }];
  },
  dynamodb: dynamodbAuthorizations,
  dynamodbstreams: (r) => [{ action: `dynamodb:${r.operation}`, resource: str(r.input['StreamArn']) ?? (str(r.input['TableName']) ? `arn:aws:dynamodb:${r.region}:${r.accountId}:table/${str(r.input['TableName'])}/stream/*` : '*') }],
  lambda: lambdaAuthorizations,
  iam: iamAuthorizations,
  sts: (r) => {
    if (r.operation === 'GetFederationToken') return [{ action: 'sts:GetFederationToken', resource: `arn:aws:sts::${r.accountId}:federated-user/${str(r.input['Name'])}` }];
    if (r.operation !== 'AssumeRole') return [{ action: `sts:${r.operation}`, resource: '*' }];
    const tags = (r.input['Tags'] as { Key: string; Value: string }[] | undefined) ?? [];
    const context: Record<string, ContextValue> = {
      ...(str(r.input['ExternalId']) !== undefined ? { 'sts:ExternalId': str(r.input['ExternalId'])! } : {}),
      'sts:RoleSessionName': str(r.input['RoleSessionName']) ?? '',
      ...(str(r.input['SourceIdentity']) !== undefined ? { 'sts:SourceIdentity': str(r.input['SourceIdentity'])! } : {}),
      ...Object.fromEntries(tags.map((t) => [`aws:RequestTag/${t.Key}`, t.Value])),
      ...(tags.length ? { 'aws:TagKeys': tags.map((t) => t.Key) } : {}),
      // The code itself is checked by STS before any credentials are issued.
      ...(str(r.input['SerialNumber']) && str(r.input['TokenCode']) ? { 'aws:MultiFactorAuthPresent': 'true', 'aws:MultiFactorAuthAge': '0' } : {}),
    };
    const role = str(r.input['RoleArn'])!;
    return [
      { action: 'sts:AssumeRole', resource: role, context, resourceRequired: true },
      ...(tags.length ? [{ action: 'sts:TagSession', resource: role, context, resourceRequired: true }] : []),
      ...(str(r.input['SourceIdentity']) !== undefined ? [{ action: 'sts:SetSourceIdentity', resource: role, context, resourceRequired: true }] : []),
    ];
  },
  ec2: (r) => {
    const ids = (r.input['InstanceIds'] as string[] | undefined) ?? [];
    const action = `ec2:${r.operation}`;
    // Describe* operations have no resource-level permissions.
    const out: Authorization[] = r.operation.startsWith('Describe') || ids.length === 0
      ? [{ action, resource: '*' }]
      : ids.map((id) => ({ action, resource: `arn:aws:ec2:${r.region}:${r.accountId}:instance/${id}` }));
    // Giving an instance a profile passes the profile's role to EC2.
    const profile = r.input['IamInstanceProfile'] as { Arn?: string; Name?: string } | undefined;
    const role = profile && r.instanceProfileRole?.(profile.Arn ?? profile.Name ?? '');
    if (role) out.push({ action: 'iam:PassRole', resource: role, context: { 'iam:PassedToService': 'ec2.amazonaws.com' } });
    return out;
  },
};

/** SQS batch operations are authorized as their single-message actions. */
const SQS_ACTIONS: Record<string, string> = { SendMessageBatch: 'SendMessage', DeleteMessageBatch: 'DeleteMessage', ChangeMessageVisibilityBatch: 'ChangeMessageVisibility' };

/** S3 operations whose permission is named differently. https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html */
const S3_ACTIONS: Record<string, string> = {
  ListBuckets: 'ListAllMyBuckets', HeadBucket: 'ListBucket', ListObjects: 'ListBucket', ListObjectsV2: 'ListBucket',
  ListObjectVersions: 'ListBucketVersions', ListMultipartUploads: 'ListBucketMultipartUploads', ListParts: 'ListMultipartUploadParts',
  HeadObject: 'GetObject', CopyObject: 'PutObject', CreateMultipartUpload: 'PutObject', UploadPart: 'PutObject', CompleteMultipartUpload: 'PutObject', UploadPartCopy: 'PutObject',
  DeleteObjects: 'DeleteObject', DeleteBucketTagging: 'PutBucketTagging', GetBucketCors: 'GetBucketCORS', PutBucketCors: 'PutBucketCORS', DeleteBucketCors: 'PutBucketCORS',
  GetBucketLifecycleConfiguration: 'GetLifecycleConfiguration', PutBucketLifecycleConfiguration: 'PutLifecycleConfiguration', DeleteBucketLifecycle: 'PutLifecycleConfiguration',
  GetBucketNotificationConfiguration: 'GetBucketNotification', PutBucketNotificationConfiguration: 'PutBucketNotification',
  GetBucketEncryption: 'GetEncryptionConfiguration', PutBucketEncryption: 'PutEncryptionConfiguration', DeleteBucketEncryption: 'PutEncryptionConfiguration',
  GetPublicAccessBlock: 'GetBucketPublicAccessBlock', PutPublicAccessBlock: 'PutBucketPublicAccessBlock', DeletePublicAccessBlock: 'PutBucketPublicAccessBlock',
  GetObjectLockConfiguration: 'GetBucketObjectLockConfiguration', PutObjectLockConfiguration: 'PutBucketObjectLockConfiguration',
  GetBucketAccelerateConfiguration: 'GetAccelerateConfiguration', PutBucketAccelerateConfiguration: 'PutAccelerateConfiguration',
  GetBucketReplication: 'GetReplicationConfiguration', PutBucketReplication: 'PutReplicationConfiguration', DeleteBucketReplication: 'PutReplicationConfiguration',
  DeleteBucketOwnershipControls: 'PutBucketOwnershipControls', DeleteBucketWebsite: 'DeleteBucketWebsite', GetObjectAttributes: 'GetObjectAttributes',
};

function s3Authorizations(r: OperationRequest): Authorization[] {
  const bucket = str(r.input['Bucket']);
  const key = str(r.input['Key']);
  const versioned = str(r.input['VersionId']) !== undefined;
  let action = S3_ACTIONS[r.operation] ?? r.operation;
  if (versioned && ['GetObject', 'DeleteObject', 'GetObjectAcl', 'PutObjectAcl', 'GetObjectTagging', 'PutObjectTagging', 'DeleteObjectTagging'].includes(action)) action = `${action.replace(/^(Get|Put|Delete)Object/, '$1ObjectVersion')}`;
  const context: Record<string, ContextValue> = {};
  for (const [member, k] of [['Prefix', 's3:prefix'], ['Delimiter', 's3:delimiter'], ['MaxKeys', 's3:max-keys'], ['ACL', 's3:x-amz-acl'], ['VersionId', 's3:VersionId']] as const) {
    if (r.input[member] !== undefined) context[k] = String(r.input[member]);
  }
  if (!bucket) return [{ action: `s3:${action}`, resource: '*', context }];
  if (r.operation === 'DeleteObjects') {
    const objects = ((r.input['Delete'] as { Objects?: { Key: string }[] } | undefined)?.Objects ?? []);
    return objects.map((o) => ({ action: 's3:DeleteObject', resource: `arn:aws:s3:::${bucket}/${o.Key}` }));
  }
  const resource = key !== undefined ? `arn:aws:s3:::${bucket}/${key}` : `arn:aws:s3:::${bucket}`;
  const out: Authorization[] = [{ action: `s3:${action}`, resource, context }];
  const source = str(r.input['CopySource']);
  if (source && (r.operation === 'CopyObject' || r.operation === 'UploadPartCopy')) {
    const path = decodeURIComponent(source.replace(/^\//, '').split('?')[0]!);
    out.unshift({ action: 's3:GetObject', resource: `arn:aws:s3:::${path}` });
  }
  if (r.operation === 'PutObject' || r.operation === 'CopyObject') {
    if (r.input['ACL'] !== undefined) out.push({ action: 's3:PutObjectAcl', resource, context });
    if (r.input['Tagging'] !== undefined) out.push({ action: 's3:PutObjectTagging', resource, context });
  }
  return out;
}

function dynamodbAuthorizations(r: OperationRequest): Authorization[] {
  const table = (name: string) => (name.startsWith('arn:') ? name : `arn:aws:dynamodb:${r.region}:${r.accountId}:table/${name}`);
  const requestItems = r.input['RequestItems'] as Record<string, unknown> | undefined;
  if (requestItems) return Object.keys(requestItems).map((t) => ({ action: `dynamodb:${r.operation}`, resource: table(t) }));
  const transact = r.input['TransactItems'] as Record<string, { TableName: string }>[] | undefined;
  if (transact) {
    // Each item of a transaction is authorized as its own single-item action.
    const names: Record<string, string> = { ConditionCheck: 'ConditionCheckItem', Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', Get: 'GetItem' };
    return transact.flatMap((item) => Object.entries(item).map(([kind, v]) => ({ action: `dynamodb:${names[kind] ?? kind}`, resource: table(v.TableName) })));
  }
  // An export or import is its own resource, under its table's ARN; ImportTable names the table it creates.
  const created = r.input['TableCreationParameters'] as { TableName?: unknown } | undefined;
  const name = str(r.input['TableName']) ?? str(r.input['ResourceArn']) ?? str(r.input['TableArn']) ?? str(r.input['ExportArn']) ?? str(r.input['ImportArn'])
    ?? str(created?.TableName);
  if (!name) return [{ action: `dynamodb:${r.operation}`, resource: '*' }];
  const index = str(r.input['IndexName']);
  return [{ action: `dynamodb:${r.operation}`, resource: index ? `${table(name)}/index/${index}` : table(name) }];
}

/** Lambda's invoke operations share one permission; creating or updating a function passes its role. */
function lambdaAuthorizations(r: OperationRequest): Authorization[] {
  const action = `lambda:${r.operation === 'Invoke' || r.operation === 'InvokeWithResponseStream' ? 'InvokeFunction' : r.operation}`;
  const fn = str(r.input['FunctionName']);
  const resource = !fn ? '*' : fn.startsWith('arn:') ? fn : `arn:aws:lambda:${r.region}:${r.accountId}:function:${fn}`;
  const out: Authorization[] = [{ action, resource }];
  const role = str(r.input['Role']);
  if (role && (r.operation === 'CreateFunction' || r.operation === 'UpdateFunctionConfiguration')) {
    out.push({ action: 'iam:PassRole', resource: role, context: { 'iam:PassedToService': 'lambda.amazonaws.com' } });
  }
  return out;
}

/** IAM's list operations act on the path they list, as their denial messages show (`user/`). */
const LISTED: Record<string, string> = { ListUsers: 'user', ListRoles: 'role', ListGroups: 'group', ListPolicies: 'policy', ListInstanceProfiles: 'instance-profile' };

function iamAuthorizations(r: OperationRequest): Authorization[] {
  const action = `iam:${r.operation}`;
  const arn = (type: 'user' | 'role' | 'group' | 'instance-profile', name: string, path?: string) =>
    `arn:aws:iam::${r.accountId}:${type}${path ?? r.iamPath?.(type, name) ?? '/'}${name}`;
  const creating = r.operation.startsWith('Create') ? str(r.input['Path']) : undefined;
  const context: Record<string, ContextValue> = {};
  const policyArn = str(r.input['PolicyArn']);
  if (policyArn && /^(Attach|Detach)/.test(r.operation)) context['iam:PolicyARN'] = policyArn;
  const boundary = str(r.input['PermissionsBoundary']);
  if (boundary) context['iam:PermissionsBoundary'] = boundary;
  const user = str(r.input['UserName']) ?? (/AccessKey|LoginProfile|^GetUser$|SSHPublicKey|SigningCertificate|ServiceSpecificCredential|MFADevice/.test(r.operation) ? r.callerUserName : undefined);
  let resource = '*';
  if (str(r.input['RoleName'])) resource = arn('role', str(r.input['RoleName'])!, creating);
  else if (str(r.input['GroupName'])) resource = arn('group', str(r.input['GroupName'])!, creating);
  else if (user) resource = arn('user', user, creating);
  else if (str(r.input['InstanceProfileName'])) resource = arn('instance-profile', str(r.input['InstanceProfileName'])!, creating);
  else if (policyArn) resource = policyArn;
  else if (str(r.input['PolicyName']) && r.operation === 'CreatePolicy') resource = `arn:aws:iam::${r.accountId}:policy${creating ?? '/'}${str(r.input['PolicyName'])}`;
  else if (str(r.input['PolicySourceArn'])) resource = str(r.input['PolicySourceArn'])!;
  else if (LISTED[r.operation]) resource = `arn:aws:iam::${r.accountId}:${LISTED[r.operation]}${str(r.input['PathPrefix']) ?? '/'}`;
  // Adding a user to a group is an action on the group; the InstanceProfile ops act on the profile.
  if (r.operation === 'AddUserToGroup' || r.operation === 'RemoveUserFromGroup') resource = arn('group', str(r.input['GroupName'])!);
  if (/RoleToInstanceProfile$/.test(r.operation)) resource = arn('instance-profile', str(r.input['InstanceProfileName'])!);
  return [{ action, resource, context }];
}
