/**
 * The AWS managed policies people attach most, with their documents as AWS publishes them
 * (`aws iam get-policy-version`). ReadOnlyAccess and PowerUserAccess are shortened to the
 * services Nimbus implements; every other document is AWS's own.
 */
export interface AwsManagedPolicy {
  name: string;
  path: string;
  id: string;
  description: string;
  versionId: string;
  created: string;
  updated: string;
  statements: unknown[];
}

const allow = (Action: string | string[], Resource: string | string[] = '*', extra: Record<string, unknown> = {}) => ({ Effect: 'Allow', Action, Resource, ...extra });

export const AWS_MANAGED: readonly AwsManagedPolicy[] = [
  { name: 'AdministratorAccess', path: '/', id: 'ANPAIWMBCKSKIEE64ZLYK', description: 'Provides full access to AWS services and resources.', versionId: 'v1', created: '2015-02-06T18:39:46Z', updated: '2015-02-06T18:39:46Z', statements: [allow('*')] },
  {
    name: 'PowerUserAccess', path: '/', id: 'ANPAJYRXTHIB4FOVS3ZXS', description: 'Provides full access to AWS services and resources, but does not allow management of Users and groups.', versionId: 'v5', created: '2015-02-06T18:39:47Z', updated: '2023-07-06T22:04:00Z',
    statements: [
      { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
      allow(['account:GetAccountInformation', 'account:GetPrimaryEmail', 'account:ListRegions', 'iam:CreateServiceLinkedRole', 'iam:DeleteServiceLinkedRole', 'iam:ListRoles', 'organizations:DescribeOrganization']),
    ],
  },
  {
    name: 'ReadOnlyAccess', path: '/', id: 'ANPAILL3HVNFSB6DCOWYQ', description: 'Provides read-only access to AWS services and resources.', versionId: 'v120', created: '2015-02-06T18:39:48Z', updated: '2025-01-01T00:00:00Z',
    statements: [allow([
      'dynamodb:BatchGet*', 'dynamodb:Describe*', 'dynamodb:Get*', 'dynamodb:List*', 'dynamodb:Query', 'dynamodb:Scan', 'ec2:Describe*', 'ec2:Get*',
      'iam:Generate*', 'iam:Get*', 'iam:List*', 'iam:Simulate*', 'lambda:Get*', 'lambda:List*', 's3:Describe*', 's3:Get*', 's3:List*',
      'sns:Check*', 'sns:Get*', 'sns:List*', 'sqs:Get*', 'sqs:List*', 'sqs:Receive*', 'sts:GetAccessKeyInfo', 'sts:GetCallerIdentity', 'sts:GetSessionToken',
    ])],
  },
  {
    name: 'IAMFullAccess', path: '/', id: 'ANPAI7XKCFMBPM3QQRRVQ', description: 'Provides full access to IAM via the AWS Management Console.', versionId: 'v2', created: '2015-02-06T18:40:38Z', updated: '2019-06-21T19:40:00Z',
    statements: [allow('iam:*'), allow(['organizations:DescribeAccount', 'organizations:DescribeOrganization', 'organizations:DescribeOrganizationalUnit', 'organizations:DescribePolicy', 'organizations:ListChildren', 'organizations:ListParents', 'organizations:ListPoliciesForTarget', 'organizations:ListRoots', 'organizations:ListPolicies', 'organizations:ListTargetsForPolicy'])],
  },
  {
    name: 'IAMReadOnlyAccess', path: '/', id: 'ANPAJKSO7NDY4T57MWDSQ', description: 'Provides read only access to IAM via the AWS Management Console.', versionId: 'v4', created: '2015-02-06T18:40:39Z', updated: '2018-01-25T19:11:27Z',
    statements: [allow(['iam:GenerateCredentialReport', 'iam:GenerateServiceLastAccessedDetails', 'iam:Get*', 'iam:List*', 'iam:SimulateCustomPolicy', 'iam:SimulatePrincipalPolicy'])],
  },
  {
    name: 'AmazonS3FullAccess', path: '/', id: 'ANPAIFIR6V6BVTRAHWINE', description: 'Provides full access to all buckets via the AWS Management Console.', versionId: 'v2', created: '2015-02-06T18:40:58Z', updated: '2021-09-27T20:16:37Z',
    statements: [allow(['s3:*', 's3-object-lambda:*'])],
  },
  {
    name: 'AmazonS3ReadOnlyAccess', path: '/', id: 'ANPAIZTJ4DXE7G6AGAE6M', description: 'Provides read only access to all buckets via the AWS Management Console.', versionId: 'v3', created: '2015-02-06T18:40:59Z', updated: '2023-08-10T21:31:39Z',
    statements: [allow(['s3:Get*', 's3:List*', 's3:Describe*', 's3-object-lambda:Get*', 's3-object-lambda:List*'])],
  },
  { name: 'AmazonSQSFullAccess', path: '/', id: 'ANPAI65L554VRJ33ECQS6', description: 'Provides full access to Amazon SQS via the AWS Management Console.', versionId: 'v1', created: '2015-02-06T18:41:07Z', updated: '2015-02-06T18:41:07Z', statements: [allow('sqs:*')] },
  {
    name: 'AmazonSQSReadOnlyAccess', path: '/', id: 'ANPAIUGSSQY362XGCM6KW', description: 'Provides read only access to Amazon SQS via the AWS Management Console.', versionId: 'v3', created: '2015-02-06T18:41:08Z', updated: '2024-05-06T20:53:19Z',
    statements: [allow(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ListDeadLetterSourceQueues', 'sqs:ListQueues', 'sqs:ListMessageMoveTasks', 'sqs:ListQueueTags'])],
  },
  { name: 'AmazonSNSFullAccess', path: '/', id: 'ANPAJWEKLCXXUNT2SOLSG', description: 'Provides full access to Amazon SNS via the AWS Management Console.', versionId: 'v2', created: '2015-02-06T18:41:05Z', updated: '2022-06-16T17:00:00Z', statements: [allow('sns:*')] },
  {
    name: 'AmazonSNSReadOnlyAccess', path: '/', id: 'ANPAIZGQCQTFOFPMHSB6W', description: 'Provides read only access to Amazon SNS via the AWS Management Console.', versionId: 'v3', created: '2015-02-06T18:41:06Z', updated: '2022-06-16T17:00:00Z',
    statements: [allow(['sns:GetTopicAttributes', 'sns:List*', 'sns:CheckIfPhoneNumberIsOptedOut', 'sns:GetEndpointAttributes', 'sns:GetDataProtectionPolicy', 'sns:GetPlatformApplicationAttributes', 'sns:GetSMSAttributes', 'sns:GetSMSSandboxAccountStatus', 'sns:GetSubscriptionAttributes'])],
  },
  {
    name: 'AmazonDynamoDBFullAccess', path: '/', id: 'ANPAINUGF2JSOSUY76KYA', description: 'Provides full access to Amazon DynamoDB via the AWS Management Console.', versionId: 'v22', created: '2015-02-06T18:40:11Z', updated: '2023-06-26T16:00:00Z',
    statements: [
      allow(['dynamodb:*', 'dax:*', 'application-autoscaling:DeleteScalingPolicy', 'application-autoscaling:DeregisterScalableTarget', 'application-autoscaling:DescribeScalableTargets', 'application-autoscaling:DescribeScalingActivities', 'application-autoscaling:DescribeScalingPolicies', 'application-autoscaling:PutScalingPolicy', 'application-autoscaling:RegisterScalableTarget', 'cloudwatch:DeleteAlarms', 'cloudwatch:DescribeAlarmHistory', 'cloudwatch:DescribeAlarms', 'cloudwatch:DescribeAlarmsForMetric', 'cloudwatch:GetMetricStatistics', 'cloudwatch:ListMetrics', 'cloudwatch:PutMetricAlarm', 'cloudwatch:GetMetricData', 'datapipeline:ActivatePipeline', 'datapipeline:CreatePipeline', 'datapipeline:DeletePipeline', 'datapipeline:DescribeObjects', 'datapipeline:DescribePipelines', 'datapipeline:GetPipelineDefinition', 'datapipeline:ListPipelines', 'datapipeline:PutPipelineDefinition', 'datapipeline:QueryObjects', 'ec2:DescribeVpcs', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups', 'iam:GetRole', 'iam:ListRoles', 'kms:DescribeKey', 'kms:ListAliases', 'sns:CreateTopic', 'sns:DeleteTopic', 'sns:ListSubscriptions', 'sns:ListSubscriptionsByTopic', 'sns:ListTopics', 'sns:Subscribe', 'sns:Unsubscribe', 'sns:SetTopicAttributes', 'lambda:CreateFunction', 'lambda:ListFunctions', 'lambda:ListEventSourceMappings', 'lambda:CreateEventSourceMapping', 'lambda:DeleteEventSourceMapping', 'lambda:GetFunctionConfiguration', 'lambda:DeleteFunction', 'resource-groups:ListGroups', 'resource-groups:ListGroupResources', 'resource-groups:GetGroup', 'resource-groups:GetGroupQuery', 'resource-groups:DeleteGroup', 'resource-groups:CreateGroup', 'tag:GetResources', 'kinesis:ListStreams', 'kinesis:DescribeStream', 'kinesis:DescribeStreamSummary']),
      allow('cloudwatch:GetInsightRuleReport', 'arn:aws:cloudwatch:*:*:insight-rule/DynamoDBContributorInsights*'),
      allow('iam:PassRole', '*', { Condition: { StringLike: { 'iam:PassedToService': ['application-autoscaling.amazonaws.com', 'application-autoscaling.amazonaws.com.cn', 'dax.amazonaws.com'] } } }),
      allow('iam:CreateServiceLinkedRole', '*', { Condition: { StringEquals: { 'iam:AWSServiceName': ['replication.dynamodb.amazonaws.com', 'dax.amazonaws.com', 'dynamodb.application-autoscaling.amazonaws.com', 'contributorinsights.dynamodb.amazonaws.com', 'kinesisreplication.dynamodb.amazonaws.com'] } } }),
    ],
  },
  {
    name: 'AmazonDynamoDBReadOnlyAccess', path: '/', id: 'ANPAIY2XFNA232XJ6J7X2', description: 'Provides read only access to Amazon DynamoDB via the AWS Management Console.', versionId: 'v13', created: '2015-02-06T18:40:12Z', updated: '2023-06-26T16:00:00Z',
    statements: [allow(['application-autoscaling:DescribeScalableTargets', 'application-autoscaling:DescribeScalingActivities', 'application-autoscaling:DescribeScalingPolicies', 'cloudwatch:DescribeAlarmHistory', 'cloudwatch:DescribeAlarms', 'cloudwatch:DescribeAlarmsForMetric', 'cloudwatch:GetMetricStatistics', 'cloudwatch:ListMetrics', 'cloudwatch:GetMetricData', 'datapipeline:DescribeObjects', 'datapipeline:DescribePipelines', 'datapipeline:GetPipelineDefinition', 'datapipeline:ListPipelines', 'datapipeline:QueryObjects', 'dynamodb:BatchGetItem', 'dynamodb:Describe*', 'dynamodb:List*', 'dynamodb:GetAbacStatus', 'dynamodb:GetItem', 'dynamodb:GetResourcePolicy', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:PartiQLSelect', 'dax:Describe*', 'dax:List*', 'dax:GetItem', 'dax:BatchGetItem', 'dax:Query', 'dax:Scan', 'ec2:DescribeVpcs', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups', 'iam:GetRole', 'iam:ListRoles', 'kms:DescribeKey', 'kms:ListAliases', 'sns:ListSubscriptionsByTopic', 'sns:ListTopics', 'lambda:ListFunctions', 'lambda:ListEventSourceMappings', 'lambda:GetFunctionConfiguration', 'resource-groups:ListGroups', 'resource-groups:ListGroupResources', 'resource-groups:GetGroup', 'resource-groups:GetGroupQuery', 'tag:GetResources', 'kinesis:ListStreams', 'kinesis:DescribeStream', 'kinesis:DescribeStreamSummary'])],
  },
  {
    name: 'AmazonEC2FullAccess', path: '/', id: 'ANPAI3VAJF5ZCRZ7MCQE6', description: 'Provides full access to Amazon EC2 via the AWS Management Console.', versionId: 'v5', created: '2015-02-06T18:40:15Z', updated: '2018-11-27T02:16:56Z',
    statements: [
      allow('ec2:*'), allow('elasticloadbalancing:*'), allow('cloudwatch:*'), allow('autoscaling:*'),
      allow('iam:CreateServiceLinkedRole', '*', { Condition: { StringEquals: { 'iam:AWSServiceName': ['autoscaling.amazonaws.com', 'ec2scheduled.amazonaws.com', 'elasticloadbalancing.amazonaws.com', 'spot.amazonaws.com', 'spotfleet.amazonaws.com', 'transitgateway.amazonaws.com'] } } }),
    ],
  },
  {
    name: 'AmazonEC2ReadOnlyAccess', path: '/', id: 'ANPAIGDT4SV4GSETWTBZK', description: 'Provides read only access to Amazon EC2 via the AWS Management Console.', versionId: 'v3', created: '2015-02-06T18:40:17Z', updated: '2020-03-17T22:19:27Z',
    statements: [allow('ec2:Describe*'), allow('elasticloadbalancing:Describe*'), allow(['cloudwatch:ListMetrics', 'cloudwatch:GetMetricStatistics', 'cloudwatch:Describe*']), allow('autoscaling:Describe*')],
  },
  {
    name: 'AWSLambdaBasicExecutionRole', path: '/service-role/', id: 'ANPAJNCQGXC42545SKXIK', description: 'Provides write permissions to CloudWatch Logs.', versionId: 'v1', created: '2015-04-09T15:03:43Z', updated: '2015-04-09T15:03:43Z',
    statements: [allow(['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'])],
  },
  {
    name: 'AWSLambdaSQSQueueExecutionRole', path: '/service-role/', id: 'ANPAJFWJZI6JNND4TSELK', description: 'Provides receive message, delete message, and read attribute access to SQS queues, and write permissions to CloudWatch logs.', versionId: 'v2', created: '2016-06-14T21:08:47Z', updated: '2023-10-19T20:00:00Z',
    statements: [allow(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'])],
  },
  {
    name: 'AWSLambdaDynamoDBExecutionRole', path: '/service-role/', id: 'ANPAIP7WNAGMIPYNW4WQG', description: 'Provides list and read access to DynamoDB streams and write permissions to CloudWatch logs.', versionId: 'v1', created: '2015-04-09T15:09:29Z', updated: '2015-04-09T15:09:29Z',
    statements: [allow(['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams', 'logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'])],
  },
  {
    name: 'AWSLambda_FullAccess', path: '/', id: 'ANPAZKAPJZG4LHSQNG6CQ', description: 'Grants full access to AWS Lambda service, AWS Lambda console features, and other related AWS services.', versionId: 'v2', created: '2020-11-23T22:00:00Z', updated: '2022-10-14T21:00:00Z',
    statements: [
      allow(['cloudformation:DescribeStacks', 'cloudformation:ListStackResources', 'cloudwatch:ListMetrics', 'cloudwatch:GetMetricData', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs', 'kms:ListAliases', 'iam:GetPolicy', 'iam:GetPolicyVersion', 'iam:GetRole', 'iam:GetRolePolicy', 'iam:ListAttachedRolePolicies', 'iam:ListRolePolicies', 'iam:ListRoles', 'lambda:*', 'logs:DescribeLogGroups', 'states:DescribeStateMachine', 'states:ListStateMachines', 'tag:GetResources', 'xray:GetTraceSummaries', 'xray:BatchGetTraces']),
      allow('iam:PassRole', '*', { Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } } }),
      allow(['logs:DescribeLogStreams', 'logs:GetLogEvents', 'logs:FilterLogEvents'], 'arn:aws:logs:*:*:log-group:/aws/lambda/*'),
    ],
  },
  {
    name: 'AWSLambda_ReadOnlyAccess', path: '/', id: 'ANPAZKAPJZG4N2PHRIVJ6', description: 'Grants read-only access to AWS Lambda service, AWS Lambda console features, and other related AWS services.', versionId: 'v2', created: '2020-11-23T22:00:00Z', updated: '2022-10-14T21:00:00Z',
    statements: [
      allow(['cloudformation:DescribeStacks', 'cloudformation:ListStackResources', 'cloudwatch:GetMetricData', 'cloudwatch:ListMetrics', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs', 'iam:GetPolicy', 'iam:GetPolicyVersion', 'iam:GetRole', 'iam:GetRolePolicy', 'iam:ListAttachedRolePolicies', 'iam:ListRolePolicies', 'iam:ListRoles', 'kms:ListAliases', 'lambda:Get*', 'lambda:List*', 'logs:DescribeLogGroups', 'states:DescribeStateMachine', 'states:ListStateMachines', 'tag:GetResources', 'xray:GetTraceSummaries', 'xray:BatchGetTraces']),
      allow(['logs:DescribeLogStreams', 'logs:GetLogEvents', 'logs:FilterLogEvents'], 'arn:aws:logs:*:*:log-group:/aws/lambda/*'),
    ],
  },
];

export const AWS_MANAGED_PREFIX = 'arn:aws:iam::aws:policy';

export function awsManagedArn(p: AwsManagedPolicy): string {
  return `${AWS_MANAGED_PREFIX}${p.path}${p.name}`;
}

export function awsManagedDocument(p: AwsManagedPolicy): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: p.statements });
}
