//! What a function's IAM grants allow it to do to the resources of the template.
//!
//! Template loading turns a function's `Policies` into grants: SAM policy templates such as
//! `- DynamoDBCrudPolicy: { TableName: !Ref OrdersTable }`, and inline IAM statements. This module
//! is the reference data for both: which policy templates exist, which of their parameters pick a
//! resource, and whether the access they grant puts data into it; and, for inline statements, what
//! an IAM action allows. The `unwired-producer` rule builds on it: a handler that writes to a
//! resource needs a [`Access::Write`] grant on it.
//!
//! # Source
//!
//! The table is taken from SAM's own data file,
//! `samtranslator/policy_templates_data/policy_templates.json` in `aws/serverless-application-model`,
//! at commit `603eb020adce9485a410e1667198c5268349dc88` (the file's `"Version"` is `"0.0.1"`, a format
//! version, not a SAM release). It holds 81 templates; the table has every one, in the same order.
//!
//! # Access
//!
//! Access is about the event flow, not IAM's own access levels: [`Access::Write`] means the
//! template or action lets a function put data, messages, events or work into the resource, which
//! makes the function a producer for it. Everything else is [`Access::Read`]: reading, consuming
//! (an SQS poller deletes the messages it reads), describing, and also administering a resource
//! without putting data into it (`dynamodb:UpdateTable`, creating backups, terminating a cluster).
//! A template grants [`Access::Write`] on a resource when any of its actions on that resource does.
//!
//! # What the table leaves out
//!
//! - Parameters that pick no resource the template grants access to. There is one:
//!   `AWSSecretsManagerRotationPolicy`'s `FunctionName`, which names the rotation function only in
//!   a condition; the grant itself is read and write on every secret of the account.
//! - Grants on resources no parameter picks (`Resource: "*"`, `stream/*`, `secret:*`, `lexicon/*`),
//!   since there is no name to match a handler's target against. None of them writes to a service
//!   [`action_access`] follows; some write elsewhere (`AWSSecretsManagerRotationPolicy` every
//!   secret, `CloudWatchPutMetricPolicy` metrics, `SESEmailTemplateCrudPolicy` email templates).

use super::model::Access;

// The table below reads best with short names.
use IamResource as R;
use Identifier::{Arn, Id, Name};

/// The kind of resource a grant is on.
///
/// The first ten are the services [`action_access`] follows; the rest are named by policy template
/// parameters only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum IamResource {
    /// A DynamoDB table: its items.
    DynamoDbTable,
    /// A DynamoDB table's stream of item changes.
    DynamoDbStream,
    /// An SQS queue.
    SqsQueue,
    /// An SNS topic.
    SnsTopic,
    /// An EventBridge event bus.
    EventBus,
    /// An S3 bucket and its objects.
    S3Bucket,
    /// A Kinesis data stream.
    KinesisStream,
    /// A Kinesis Data Firehose delivery stream.
    FirehoseStream,
    /// A Lambda function (with its versions and aliases).
    LambdaFunction,
    /// A Step Functions state machine and its executions.
    StateMachine,
    /// An ACM certificate.
    AcmCertificate,
    /// An Athena workgroup.
    AthenaWorkGroup,
    /// A CodeCommit repository.
    CodeCommitRepository,
    /// A CodePipeline pipeline.
    CodePipeline,
    /// An EC2 machine image (AMI).
    Ec2Image,
    /// An ECS task definition.
    EcsTaskDefinition,
    /// An EFS access point.
    EfsAccessPoint,
    /// An EFS file system.
    EfsFileSystem,
    /// An EMR cluster.
    EmrCluster,
    /// An Elasticsearch / OpenSearch domain.
    ElasticsearchDomain,
    /// A KMS key.
    KmsKey,
    /// A CloudWatch Logs log group.
    LogGroup,
    /// A Pinpoint application.
    PinpointApplication,
    /// A Polly pronunciation lexicon.
    PollyLexicon,
    /// A Rekognition face collection.
    RekognitionCollection,
    /// A Route 53 hosted zone.
    Route53HostedZone,
    /// A SageMaker endpoint.
    SageMakerEndpoint,
    /// A SageMaker endpoint configuration.
    SageMakerEndpointConfig,
    /// A Secrets Manager secret.
    Secret,
    /// An SES identity (an email address or a domain).
    SesIdentity,
    /// An SES email template.
    SesTemplate,
    /// An SSM Parameter Store parameter.
    SsmParameter,
    /// Every kind of resource. Only [`action_access`] gives it, for the action `*`; no policy
    /// template names it.
    Any,
}

impl IamResource {
    /// Whether a grant on this kind reaches a resource of kind `target`: [`IamResource::Any`]
    /// reaches every kind, any other kind only itself.
    pub(crate) fn covers(self, target: IamResource) -> bool {
        self == IamResource::Any || self == target
    }

    /// The prefix of the IAM service whose actions act on this kind (`sqs`), for the services
    /// [`action_access`] follows; a table's stream is the `dynamodb` service's.
    pub(crate) fn service(self) -> Option<&'static str> {
        let resource = if self == IamResource::DynamoDbStream { IamResource::DynamoDbTable } else { self };
        SERVICES.iter().find(|service| service.resource == resource).map(|service| service.prefix)
    }
}

/// What form a value identifying a resource takes: what a policy template parameter expects, and
/// what `Ref` of a resource gives, so that the two can be checked against each other (for an SQS
/// queue, `!Ref` gives the URL but `QueueName` wants the name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Identifier {
    /// The resource's name.
    Name,
    /// The resource's full ARN.
    Arn,
    /// An identifier AWS assigns, such as a key id, a cluster id or a DynamoDB stream label.
    Id,
    /// A URL, as `Ref` of an SQS queue gives; no policy template parameter wants one.
    Url,
}

/// A SAM policy template: the resources its parameters pick, and the access it grants them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PolicyTemplate {
    /// The key a `Policies` entry uses, spelled as SAM spells it; SAM matches it exactly.
    pub(crate) name: &'static str,
    /// The parameters that pick a resource the template grants access to, in SAM's order. Empty
    /// for a template whose grants are all on `*` or on resources no parameter picks.
    pub(crate) resources: &'static [ResourceParam],
}

/// A policy template parameter that picks a resource, and the access the template grants on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ResourceParam {
    /// The parameter's name, spelled as SAM spells it (`TableName`).
    pub(crate) parameter: &'static str,
    /// The kind of resource the grant is on. For `DynamoDBStreamReadPolicy` both parameters pick
    /// the stream: `TableName` names the table whose stream it is, and the table's items get nothing.
    pub(crate) resource: IamResource,
    /// What the parameter's value is: a name, an ARN or an id.
    pub(crate) identifier: Identifier,
    /// The strongest access the template grants on that resource.
    pub(crate) access: Access,
}

/// The SAM policy template called `name`, or `None` when SAM has no such template. The match is
/// exact, as SAM's is: `dynamodbcrudpolicy` is not a template.
pub(crate) fn policy_template(name: &str) -> Option<&'static PolicyTemplate> {
    TEMPLATES.binary_search_by(|template| template.name.cmp(name)).ok().map(|index| &TEMPLATES[index])
}

/// What the IAM action (or action pattern) `action` allows, for the services flowdoc follows:
/// the kind of resource it acts on and whether it puts data into it. `None` for other services
/// and for text that is not an action.
///
/// As in IAM, the service prefix and the action name are matched without regard to case, and the
/// name may hold the wildcards `*` and `?`: a pattern is [`Access::Write`] when it matches any
/// action that writes (`sqs:Send*`, `sqs:*`), and [`Access::Read`] otherwise (`dynamodb:Get*`).
/// The action `*` is every action on every resource: ([`IamResource::Any`], [`Access::Write`]).
pub(crate) fn action_access(action: &str) -> Option<(IamResource, Access)> {
    if action == "*" {
        return Some((IamResource::Any, Access::Write));
    }
    let (prefix, name) = action.split_once(':')?;
    if name.is_empty() {
        return None;
    }
    // IAM service prefixes are literal; a wildcard prefix names no service IAM knows.
    let service = SERVICES.iter().find(|service| service.prefix.eq_ignore_ascii_case(prefix))?;
    let access = if service.writes.iter().any(|write| wildcard_match(name, write)) {
        Access::Write
    } else {
        Access::Read
    };
    // Stream actions act on the table's stream ARN, not on the table's items.
    let resource =
        if service.resource == IamResource::DynamoDbTable && has_action(DYNAMODB_STREAM_ACTIONS, name) {
            IamResource::DynamoDbStream
        } else {
            service.resource
        };
    Some((resource, access))
}

/// An IAM service whose actions [`action_access`] classifies.
#[derive(Debug)]
struct Service {
    /// The IAM service prefix, as in `sqs:SendMessage`.
    prefix: &'static str,
    /// The kind of resource the service's actions act on.
    resource: IamResource,
    /// The IAM actions that put data, messages, events or work into the resource. Only real IAM
    /// action names: an action IAM does not know grants nothing, so it must not count as a write.
    writes: &'static [&'static str],
}

/// The services flowdoc follows, with their writing actions.
static SERVICES: &[Service] = &[
    Service {
        prefix: "dynamodb",
        resource: IamResource::DynamoDbTable,
        // Item writes only; IAM has no `Transact*` actions, transactions check these. Deletes count
        // because they change the items and show on the table's stream.
        writes: &[
            "BatchWriteItem",
            "DeleteItem",
            "PartiQLDelete",
            "PartiQLInsert",
            "PartiQLUpdate",
            "PutItem",
            "UpdateItem",
        ],
    },
    Service {
        prefix: "sqs",
        resource: IamResource::SqsQueue,
        // `sqs:SendMessage` also allows `SendMessageBatch`, which is not an IAM action of its own.
        writes: &["SendMessage"],
    },
    Service {
        prefix: "sns",
        resource: IamResource::SnsTopic,
        // `sns:Publish` also allows `PublishBatch`.
        writes: &["Publish"],
    },
    Service { prefix: "events", resource: IamResource::EventBus, writes: &["PutEvents", "PutPartnerEvents"] },
    Service {
        prefix: "s3",
        resource: IamResource::S3Bucket,
        // The actions that raise S3 event notifications: object created (`PutObject` covers copy,
        // POST and multipart uploads), removed, restored, replicated, tagged, and ACL put.
        writes: &[
            "DeleteObject",
            "DeleteObjectTagging",
            "DeleteObjectVersion",
            "DeleteObjectVersionTagging",
            "PutObject",
            "PutObjectAcl",
            "PutObjectTagging",
            "PutObjectVersionAcl",
            "PutObjectVersionTagging",
            "ReplicateDelete",
            "ReplicateObject",
            "ReplicateTags",
            "RestoreObject",
        ],
    },
    Service { prefix: "kinesis", resource: IamResource::KinesisStream, writes: &["PutRecord", "PutRecords"] },
    Service {
        prefix: "firehose",
        resource: IamResource::FirehoseStream,
        writes: &["PutRecord", "PutRecordBatch"],
    },
    Service {
        prefix: "lambda",
        resource: IamResource::LambdaFunction,
        writes: &["InvokeAsync", "InvokeFunction", "InvokeFunctionUrl"],
    },
    Service {
        prefix: "states",
        resource: IamResource::StateMachine,
        // Starting an execution, and a callback task's worker sending its result into one.
        writes: &[
            "SendTaskFailure",
            "SendTaskHeartbeat",
            "SendTaskSuccess",
            "StartExecution",
            "StartSyncExecution",
        ],
    },
];

/// The `dynamodb:` actions on a table's stream rather than on its items.
const DYNAMODB_STREAM_ACTIONS: &[&str] = &["DescribeStream", "GetRecords", "GetShardIterator", "ListStreams"];

/// Whether `name`, taken literally, is one of `actions`, without regard to case.
fn has_action(actions: &[&str], name: &str) -> bool {
    actions.iter().any(|action| action.eq_ignore_ascii_case(name))
}

/// Whether the IAM action-name pattern `pattern` matches `text`, without regard to ASCII case:
/// `*` matches any run of characters, `?` any one.
fn wildcard_match(pattern: &str, text: &str) -> bool {
    let (pattern, text) = (pattern.as_bytes(), text.as_bytes());
    let (mut p, mut t) = (0, 0);
    // Where the last `*` was, and where in `text` its match currently ends: on a mismatch the star
    // takes one more character and matching resumes after it.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == b'?' || c.eq_ignore_ascii_case(&text[t]) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    star = Some((star_p, star_t + 1));
                    p = star_p + 1;
                    t = star_t + 1;
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// A template whose parameters pick the given resources.
const fn template(name: &'static str, resources: &'static [ResourceParam]) -> PolicyTemplate {
    PolicyTemplate { name, resources }
}

/// A template whose parameters pick no resource (most have no parameters at all).
const fn no_resource(name: &'static str) -> PolicyTemplate {
    PolicyTemplate { name, resources: &[] }
}

/// A parameter picking a resource the template grants [`Access::Read`] on.
const fn read(parameter: &'static str, resource: IamResource, identifier: Identifier) -> ResourceParam {
    ResourceParam { parameter, resource, identifier, access: Access::Read }
}

/// A parameter picking a resource the template grants [`Access::Write`] on.
const fn write(parameter: &'static str, resource: IamResource, identifier: Identifier) -> ResourceParam {
    ResourceParam { parameter, resource, identifier, access: Access::Write }
}

/// Every SAM policy template, sorted by name in byte order (as SAM's file is) for binary search.
/// Comments give the reason where the access is not plain from the template's name.
static TEMPLATES: &[PolicyTemplate] = &[
    no_resource("AMIDescribePolicy"),
    template("AWSSecretsManagerGetSecretValuePolicy", &[read("SecretArn", R::Secret, Arn)]),
    // `FunctionName` only appears in a condition; see the module docs.
    no_resource("AWSSecretsManagerRotationPolicy"),
    template("AcmGetCertificatePolicy", &[read("CertificateArn", R::AcmCertificate, Arn)]),
    // `athena:StartQueryExecution` starts work in the workgroup.
    template("AthenaQueryPolicy", &[write("WorkGroupName", R::AthenaWorkGroup, Name)]),
    no_resource("CloudFormationDescribeStacksPolicy"),
    no_resource("CloudWatchDashboardPolicy"),
    no_resource("CloudWatchDescribeAlarmHistoryPolicy"),
    no_resource("CloudWatchPutMetricPolicy"),
    // `GitPush`, `PutFile`, `CreateCommit`.
    template("CodeCommitCrudPolicy", &[write("RepositoryName", R::CodeCommitRepository, Name)]),
    template("CodeCommitReadPolicy", &[read("RepositoryName", R::CodeCommitRepository, Name)]),
    no_resource("CodePipelineLambdaExecutionPolicy"),
    template("CodePipelineReadOnlyPolicy", &[read("PipelineName", R::CodePipeline, Name)]),
    no_resource("ComprehendBasicAccessPolicy"),
    no_resource("CostExplorerReadOnlyPolicy"),
    // Backups are made, listed and deleted; no item is written to the table.
    template("DynamoDBBackupFullAccessPolicy", &[read("TableName", R::DynamoDbTable, Name)]),
    template("DynamoDBCrudPolicy", &[write("TableName", R::DynamoDbTable, Name)]),
    template("DynamoDBReadPolicy", &[read("TableName", R::DynamoDbTable, Name)]),
    // `dynamodb:UpdateTable` changes settings (capacity, indexes, streams), not items.
    template("DynamoDBReconfigurePolicy", &[read("TableName", R::DynamoDbTable, Name)]),
    // Besides the restore, `PutItem`, `UpdateItem`, `DeleteItem` and `BatchWriteItem` on the table.
    template("DynamoDBRestoreFromBackupPolicy", &[write("TableName", R::DynamoDbTable, Name)]),
    // The grant is on `table/{TableName}/stream/{StreamName}`, the label being an id or `*`.
    template(
        "DynamoDBStreamReadPolicy",
        &[read("StreamName", R::DynamoDbStream, Id), read("TableName", R::DynamoDbStream, Name)],
    ),
    template("DynamoDBWritePolicy", &[write("TableName", R::DynamoDbTable, Name)]),
    // `ec2:CopyImage` reads the source image; the copy is a new image.
    template("EC2CopyImagePolicy", &[read("ImageId", R::Ec2Image, Id)]),
    no_resource("EC2DescribePolicy"),
    // `elasticfilesystem:ClientWrite` on the file system, through the access point (a condition).
    template(
        "EFSWriteAccessPolicy",
        &[write("AccessPoint", R::EfsAccessPoint, Id), write("FileSystem", R::EfsFileSystem, Id)],
    ),
    no_resource("EKSDescribePolicy"),
    // `ecs:RunTask` starts a task; the value is `family:revision`.
    template("EcsRunTaskPolicy", &[write("TaskDefinition", R::EcsTaskDefinition, Name)]),
    // Adding steps sends the cluster work.
    template("ElasticMapReduceAddJobFlowStepsPolicy", &[write("ClusterId", R::EmrCluster, Id)]),
    // Cancelling, resizing, protecting and terminating administer the cluster; they send it no work.
    template("ElasticMapReduceCancelStepsPolicy", &[read("ClusterId", R::EmrCluster, Id)]),
    template("ElasticMapReduceModifyInstanceFleetPolicy", &[read("ClusterId", R::EmrCluster, Id)]),
    template("ElasticMapReduceModifyInstanceGroupsPolicy", &[read("ClusterId", R::EmrCluster, Id)]),
    template("ElasticMapReduceSetTerminationProtectionPolicy", &[read("ClusterId", R::EmrCluster, Id)]),
    template("ElasticMapReduceTerminateJobFlowsPolicy", &[read("ClusterId", R::EmrCluster, Id)]),
    // `es:ESHttpPost` and `es:ESHttpPut` on `domain/{DomainName}/*`.
    template("ElasticsearchHttpPostPolicy", &[write("DomainName", R::ElasticsearchDomain, Name)]),
    template("EventBridgePutEventsPolicy", &[write("EventBusName", R::EventBus, Name)]),
    template("FilterLogEventsPolicy", &[read("LogGroupName", R::LogGroup, Name)]),
    template("FirehoseCrudPolicy", &[write("DeliveryStreamName", R::FirehoseStream, Name)]),
    template("FirehoseWritePolicy", &[write("DeliveryStreamName", R::FirehoseStream, Name)]),
    // Encrypting or decrypting with a key uses it; nothing is put into it.
    template("KMSDecryptPolicy", &[read("KeyId", R::KmsKey, Id)]),
    template("KMSEncryptPolicy", &[read("KeyId", R::KmsKey, Id)]),
    template("KMSEncryptPolicy_v2", &[read("KeyId", R::KmsKey, Id)]),
    template("KinesisCrudPolicy", &[write("StreamName", R::KinesisStream, Name)]),
    template("KinesisStreamReadPolicy", &[read("StreamName", R::KinesisStream, Name)]),
    // The grant is on `function:{FunctionName}*`: the function's versions and aliases, and any
    // other function whose name starts with the value.
    template("LambdaInvokePolicy", &[write("FunctionName", R::LambdaFunction, Name)]),
    no_resource("MobileAnalyticsWriteOnlyAccessPolicy"),
    no_resource("OrganizationsListAccountsPolicy"),
    // `mobiletargeting:UpdateEndpoint(sBatch)` writes the application's endpoints.
    template("PinpointEndpointAccessPolicy", &[write("PinpointApplicationId", R::PinpointApplication, Id)]),
    // `polly:PutLexicon` is granted on `lexicon/*`, which holds the named lexicon.
    template("PollyFullAccessPolicy", &[write("LexiconName", R::PollyLexicon, Name)]),
    no_resource("RekognitionDetectOnlyPolicy"),
    // `rekognition:IndexFaces` adds faces to the collection.
    template("RekognitionFacesManagementPolicy", &[write("CollectionId", R::RekognitionCollection, Id)]),
    no_resource("RekognitionFacesPolicy"),
    no_resource("RekognitionLabelsPolicy"),
    template("RekognitionNoDataAccessPolicy", &[read("CollectionId", R::RekognitionCollection, Id)]),
    template("RekognitionReadPolicy", &[read("CollectionId", R::RekognitionCollection, Id)]),
    template("RekognitionWriteOnlyAccessPolicy", &[write("CollectionId", R::RekognitionCollection, Id)]),
    // Record sets are the zone's data.
    template("Route53ChangeResourceRecordSetsPolicy", &[write("HostedZoneId", R::Route53HostedZone, Id)]),
    template("S3CrudPolicy", &[write("BucketName", R::S3Bucket, Name)]),
    template("S3FullAccessPolicy", &[write("BucketName", R::S3Bucket, Name)]),
    template("S3ReadPolicy", &[read("BucketName", R::S3Bucket, Name)]),
    template("S3WritePolicy", &[write("BucketName", R::S3Bucket, Name)]),
    // The SES templates send email through the identity.
    template("SESBulkTemplatedCrudPolicy", &[write("IdentityName", R::SesIdentity, Name)]),
    // The send actions are granted on the email template's ARN as well.
    template(
        "SESBulkTemplatedCrudPolicy_v2",
        &[write("IdentityName", R::SesIdentity, Name), write("TemplateName", R::SesTemplate, Name)],
    ),
    template("SESCrudPolicy", &[write("IdentityName", R::SesIdentity, Name)]),
    no_resource("SESEmailTemplateCrudPolicy"),
    template("SESSendBouncePolicy", &[write("IdentityName", R::SesIdentity, Name)]),
    // The grant is on `{TopicName}*`: every topic whose name starts with the value.
    template("SNSCrudPolicy", &[write("TopicName", R::SnsTopic, Name)]),
    template("SNSPublishMessagePolicy", &[write("TopicName", R::SnsTopic, Name)]),
    // Receiving, deleting and hiding messages consume the queue; nothing is sent to it.
    template("SQSPollerPolicy", &[read("QueueName", R::SqsQueue, Name)]),
    template("SQSSendMessagePolicy", &[write("QueueName", R::SqsQueue, Name)]),
    // The name without its leading slash.
    template("SSMParameterReadPolicy", &[read("ParameterName", R::SsmParameter, Name)]),
    // The name with its leading slash.
    template("SSMParameterWithSlashPrefixReadPolicy", &[read("ParameterName", R::SsmParameter, Name)]),
    // Creating the endpoint (configuration) sends it no data.
    template(
        "SageMakerCreateEndpointConfigPolicy",
        &[read("EndpointConfigName", R::SageMakerEndpointConfig, Name)],
    ),
    template("SageMakerCreateEndpointPolicy", &[read("EndpointName", R::SageMakerEndpoint, Name)]),
    no_resource("ServerlessRepoReadWriteAccessPolicy"),
    // `states:SendTaskSuccess` and friends send a callback task's result into an execution.
    template("StepFunctionsCallbackPolicy", &[write("StateMachineName", R::StateMachine, Name)]),
    template("StepFunctionsExecutionPolicy", &[write("StateMachineName", R::StateMachine, Name)]),
    template("StepFunctionsExecutionPolicy_v2", &[write("StateMachineName", R::StateMachine, Name)]),
    no_resource("TextractDetectAnalyzePolicy"),
    no_resource("TextractGetResultPolicy"),
    no_resource("TextractPolicy"),
    no_resource("VPCAccessPolicy"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The IAM actions of every template with a parameter on a service [`action_access`] follows,
    /// copied from SAM's `policy_templates.json` at the commit the module docs name.
    const SAM_ACTIONS: &[(&str, &[&str])] = &[
        (
            "DynamoDBBackupFullAccessPolicy",
            &[
                "dynamodb:CreateBackup",
                "dynamodb:DescribeContinuousBackups",
                "dynamodb:DeleteBackup",
                "dynamodb:DescribeBackup",
                "dynamodb:ListBackups",
            ],
        ),
        (
            "DynamoDBCrudPolicy",
            &[
                "dynamodb:GetItem",
                "dynamodb:DeleteItem",
                "dynamodb:PutItem",
                "dynamodb:Scan",
                "dynamodb:Query",
                "dynamodb:UpdateItem",
                "dynamodb:BatchWriteItem",
                "dynamodb:BatchGetItem",
                "dynamodb:DescribeTable",
                "dynamodb:ConditionCheckItem",
            ],
        ),
        (
            "DynamoDBReadPolicy",
            &[
                "dynamodb:GetItem",
                "dynamodb:Scan",
                "dynamodb:Query",
                "dynamodb:BatchGetItem",
                "dynamodb:DescribeTable",
            ],
        ),
        ("DynamoDBReconfigurePolicy", &["dynamodb:UpdateTable"]),
        (
            "DynamoDBRestoreFromBackupPolicy",
            &[
                "dynamodb:RestoreTableFromBackup",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
                "dynamodb:DeleteItem",
                "dynamodb:GetItem",
                "dynamodb:Query",
                "dynamodb:Scan",
                "dynamodb:BatchWriteItem",
            ],
        ),
        (
            "DynamoDBStreamReadPolicy",
            &[
                "dynamodb:DescribeStream",
                "dynamodb:GetRecords",
                "dynamodb:GetShardIterator",
                "dynamodb:ListStreams",
            ],
        ),
        ("DynamoDBWritePolicy", &["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"]),
        ("EventBridgePutEventsPolicy", &["events:PutEvents"]),
        (
            "FirehoseCrudPolicy",
            &[
                "firehose:CreateDeliveryStream",
                "firehose:DeleteDeliveryStream",
                "firehose:DescribeDeliveryStream",
                "firehose:PutRecord",
                "firehose:PutRecordBatch",
                "firehose:UpdateDestination",
            ],
        ),
        ("FirehoseWritePolicy", &["firehose:PutRecord", "firehose:PutRecordBatch"]),
        (
            "KinesisCrudPolicy",
            &[
                "kinesis:AddTagsToStream",
                "kinesis:CreateStream",
                "kinesis:DecreaseStreamRetentionPeriod",
                "kinesis:DeleteStream",
                "kinesis:DescribeStream",
                "kinesis:DescribeStreamSummary",
                "kinesis:GetShardIterator",
                "kinesis:IncreaseStreamRetentionPeriod",
                "kinesis:ListTagsForStream",
                "kinesis:MergeShards",
                "kinesis:PutRecord",
                "kinesis:PutRecords",
                "kinesis:SplitShard",
                "kinesis:RemoveTagsFromStream",
            ],
        ),
        (
            "KinesisStreamReadPolicy",
            &[
                "kinesis:ListStreams",
                "kinesis:DescribeLimits",
                "kinesis:DescribeStream",
                "kinesis:DescribeStreamSummary",
                "kinesis:GetRecords",
                "kinesis:GetShardIterator",
            ],
        ),
        ("LambdaInvokePolicy", &["lambda:InvokeFunction"]),
        (
            "S3CrudPolicy",
            &[
                "s3:GetObject",
                "s3:ListBucket",
                "s3:GetBucketLocation",
                "s3:GetObjectVersion",
                "s3:PutObject",
                "s3:PutObjectAcl",
                "s3:GetLifecycleConfiguration",
                "s3:PutLifecycleConfiguration",
                "s3:DeleteObject",
            ],
        ),
        (
            "S3FullAccessPolicy",
            &[
                "s3:GetObject",
                "s3:GetObjectAcl",
                "s3:GetObjectVersion",
                "s3:PutObject",
                "s3:PutObjectAcl",
                "s3:DeleteObject",
                "s3:DeleteObjectTagging",
                "s3:DeleteObjectVersionTagging",
                "s3:GetObjectTagging",
                "s3:GetObjectVersionTagging",
                "s3:PutObjectTagging",
                "s3:PutObjectVersionTagging",
                "s3:ListBucket",
                "s3:GetBucketLocation",
                "s3:GetLifecycleConfiguration",
                "s3:PutLifecycleConfiguration",
            ],
        ),
        (
            "S3ReadPolicy",
            &[
                "s3:GetObject",
                "s3:ListBucket",
                "s3:GetBucketLocation",
                "s3:GetObjectVersion",
                "s3:GetLifecycleConfiguration",
            ],
        ),
        ("S3WritePolicy", &["s3:PutObject", "s3:PutObjectAcl", "s3:PutLifecycleConfiguration"]),
        (
            "SNSCrudPolicy",
            &[
                "sns:ListSubscriptionsByTopic",
                "sns:CreateTopic",
                "sns:SetTopicAttributes",
                "sns:Subscribe",
                "sns:Publish",
            ],
        ),
        ("SNSPublishMessagePolicy", &["sns:Publish"]),
        (
            "SQSPollerPolicy",
            &[
                "sqs:ChangeMessageVisibility",
                "sqs:ChangeMessageVisibilityBatch",
                "sqs:DeleteMessage",
                "sqs:DeleteMessageBatch",
                "sqs:GetQueueAttributes",
                "sqs:ReceiveMessage",
            ],
        ),
        ("SQSSendMessagePolicy", &["sqs:SendMessage*"]),
        (
            "StepFunctionsCallbackPolicy",
            &["states:SendTaskFailure", "states:SendTaskHeartbeat", "states:SendTaskSuccess"],
        ),
        ("StepFunctionsExecutionPolicy", &["states:StartExecution"]),
        ("StepFunctionsExecutionPolicy_v2", &["states:StartExecution", "states:StartSyncExecution"]),
    ];

    /// The kinds of resource [`action_access`] can name, other than [`IamResource::Any`].
    fn followed_types() -> BTreeSet<IamResource> {
        SERVICES.iter().map(|service| service.resource).chain([IamResource::DynamoDbStream]).collect()
    }

    fn access_of(template: &str, parameter: &str) -> (IamResource, Access) {
        let template = policy_template(template).unwrap_or_else(|| panic!("no template {template}"));
        let param = template
            .resources
            .iter()
            .find(|param| param.parameter == parameter)
            .unwrap_or_else(|| panic!("{} has no resource parameter {parameter}", template.name));
        (param.resource, param.access)
    }

    #[test]
    fn table_is_sorted_with_unique_names_so_binary_search_finds_every_template() {
        for pair in TEMPLATES.windows(2) {
            assert!(pair[0].name < pair[1].name, "{} must sort before {}", pair[0].name, pair[1].name);
        }
        for template in TEMPLATES {
            assert_eq!(policy_template(template.name), Some(template));
        }
    }

    #[test]
    fn table_has_every_template_of_the_sam_data_file() {
        // The count of `Templates` in SAM's policy_templates.json at the commit in the module docs.
        assert_eq!(TEMPLATES.len(), 81);
    }

    #[test]
    fn parameters_are_unique_and_no_template_names_any() {
        for template in TEMPLATES {
            let names: BTreeSet<_> = template.resources.iter().map(|param| param.parameter).collect();
            assert_eq!(names.len(), template.resources.len(), "{} repeats a parameter", template.name);
            for param in template.resources {
                assert_ne!(param.resource, IamResource::Any, "{}.{}", template.name, param.parameter);
            }
        }
    }

    #[test]
    fn unknown_or_miscased_names_are_not_templates() {
        for name in
            ["", "DynamoDBCrud", "dynamodbcrudpolicy", "DynamoDbCrudPolicy", "AmazonDynamoDBFullAccess"]
        {
            assert_eq!(policy_template(name), None, "{name:?}");
        }
    }

    #[test]
    fn spot_checks_against_the_sam_data_file() {
        use Access::{Read, Write};
        let cases = [
            ("DynamoDBReadPolicy", "TableName", R::DynamoDbTable, Read),
            ("DynamoDBCrudPolicy", "TableName", R::DynamoDbTable, Write),
            ("DynamoDBWritePolicy", "TableName", R::DynamoDbTable, Write),
            ("DynamoDBStreamReadPolicy", "StreamName", R::DynamoDbStream, Read),
            ("DynamoDBStreamReadPolicy", "TableName", R::DynamoDbStream, Read),
            ("SQSPollerPolicy", "QueueName", R::SqsQueue, Read),
            ("SQSSendMessagePolicy", "QueueName", R::SqsQueue, Write),
            ("SNSPublishMessagePolicy", "TopicName", R::SnsTopic, Write),
            ("SNSCrudPolicy", "TopicName", R::SnsTopic, Write),
            ("EventBridgePutEventsPolicy", "EventBusName", R::EventBus, Write),
            ("S3ReadPolicy", "BucketName", R::S3Bucket, Read),
            ("S3WritePolicy", "BucketName", R::S3Bucket, Write),
            ("KinesisCrudPolicy", "StreamName", R::KinesisStream, Write),
            ("KinesisStreamReadPolicy", "StreamName", R::KinesisStream, Read),
            ("LambdaInvokePolicy", "FunctionName", R::LambdaFunction, Write),
            ("StepFunctionsExecutionPolicy", "StateMachineName", R::StateMachine, Write),
            ("FirehoseWritePolicy", "DeliveryStreamName", R::FirehoseStream, Write),
            ("SESSendBouncePolicy", "IdentityName", R::SesIdentity, Write),
            ("SSMParameterReadPolicy", "ParameterName", R::SsmParameter, Read),
            ("AWSSecretsManagerGetSecretValuePolicy", "SecretArn", R::Secret, Read),
            ("KMSDecryptPolicy", "KeyId", R::KmsKey, Read),
        ];
        for (template, parameter, resource, access) in cases {
            assert_eq!(access_of(template, parameter), (resource, access), "{template}.{parameter}");
        }
        assert_eq!(policy_template("VPCAccessPolicy").map(|template| template.resources), Some(&[][..]));
        assert_eq!(policy_template("SQSPollerPolicy").unwrap().resources[0].identifier, Name);
        assert_eq!(
            policy_template("AWSSecretsManagerGetSecretValuePolicy").unwrap().resources[0].identifier,
            Arn
        );
    }

    #[test]
    fn template_access_agrees_with_action_access_of_its_sam_actions() {
        let followed = followed_types();
        let with_actions: BTreeSet<_> = SAM_ACTIONS.iter().map(|(name, _)| *name).collect();
        for template in TEMPLATES {
            let on_followed = template.resources.iter().any(|param| followed.contains(&param.resource));
            assert_eq!(
                on_followed,
                with_actions.contains(template.name),
                "{}: SAM_ACTIONS must hold exactly the templates on followed services",
                template.name
            );
        }
        for (name, actions) in SAM_ACTIONS {
            let template = policy_template(name).unwrap();
            for param in template.resources {
                let derived = actions
                    .iter()
                    .map(|action| action_access(action).unwrap_or_else(|| panic!("{name}: {action} unknown")))
                    .filter(|(resource, _)| resource.covers(param.resource))
                    .map(|(_, access)| access)
                    .max();
                assert_eq!(derived, Some(param.access), "{name}.{}", param.parameter);
            }
        }
    }

    #[test]
    fn action_access_classifies_services_verbs_wildcards_and_case() {
        use Access::{Read, Write};
        let cases: &[(&str, Option<(IamResource, Access)>)] = &[
            ("dynamodb:PutItem", Some((R::DynamoDbTable, Write))),
            ("dynamodb:UpdateItem", Some((R::DynamoDbTable, Write))),
            ("dynamodb:DeleteItem", Some((R::DynamoDbTable, Write))),
            ("dynamodb:BatchWriteItem", Some((R::DynamoDbTable, Write))),
            ("dynamodb:PartiQLInsert", Some((R::DynamoDbTable, Write))),
            ("dynamodb:GetItem", Some((R::DynamoDbTable, Read))),
            ("dynamodb:Query", Some((R::DynamoDbTable, Read))),
            ("dynamodb:UpdateTable", Some((R::DynamoDbTable, Read))),
            ("dynamodb:Get*", Some((R::DynamoDbTable, Read))),
            ("dynamodb:*Item", Some((R::DynamoDbTable, Write))),
            ("dynamodb:*", Some((R::DynamoDbTable, Write))),
            ("dynamodb:GetRecords", Some((R::DynamoDbStream, Read))),
            ("dynamodb:listStreams", Some((R::DynamoDbStream, Read))),
            // Case: IAM ignores it in both parts.
            ("DynamoDB:putitem", Some((R::DynamoDbTable, Write))),
            ("SQS:SENDMESSAGE", Some((R::SqsQueue, Write))),
            ("sqs:SendMessage", Some((R::SqsQueue, Write))),
            ("sqs:Send*", Some((R::SqsQueue, Write))),
            ("sqs:send*", Some((R::SqsQueue, Write))),
            ("sqs:SendMessage*", Some((R::SqsQueue, Write))),
            ("sqs:Send?essage", Some((R::SqsQueue, Write))),
            ("sqs:*", Some((R::SqsQueue, Write))),
            ("sqs:*Message", Some((R::SqsQueue, Write))),
            ("sqs:ReceiveMessage", Some((R::SqsQueue, Read))),
            ("sqs:DeleteMessage", Some((R::SqsQueue, Read))),
            ("sqs:Send", Some((R::SqsQueue, Read))),
            ("sqs:?", Some((R::SqsQueue, Read))),
            // Not an IAM action: `sqs:SendMessage` is what allows batches, so this allows nothing.
            ("sqs:SendMessageBatch", Some((R::SqsQueue, Read))),
            ("sns:Publish", Some((R::SnsTopic, Write))),
            ("sns:Pub*", Some((R::SnsTopic, Write))),
            ("sns:Subscribe", Some((R::SnsTopic, Read))),
            ("events:PutEvents", Some((R::EventBus, Write))),
            ("events:Put*", Some((R::EventBus, Write))),
            ("events:PutRule", Some((R::EventBus, Read))),
            ("s3:PutObject", Some((R::S3Bucket, Write))),
            ("s3:DeleteObject", Some((R::S3Bucket, Write))),
            ("s3:Put*", Some((R::S3Bucket, Write))),
            ("s3:GetObject", Some((R::S3Bucket, Read))),
            ("s3:Get*", Some((R::S3Bucket, Read))),
            ("s3:PutBucket*", Some((R::S3Bucket, Read))),
            ("s3:PutLifecycleConfiguration", Some((R::S3Bucket, Read))),
            ("kinesis:PutRecord", Some((R::KinesisStream, Write))),
            ("kinesis:PutRecords", Some((R::KinesisStream, Write))),
            ("kinesis:GetRecords", Some((R::KinesisStream, Read))),
            ("firehose:PutRecordBatch", Some((R::FirehoseStream, Write))),
            ("firehose:DescribeDeliveryStream", Some((R::FirehoseStream, Read))),
            ("lambda:InvokeFunction", Some((R::LambdaFunction, Write))),
            ("lambda:Invoke*", Some((R::LambdaFunction, Write))),
            ("lambda:GetFunction", Some((R::LambdaFunction, Read))),
            ("states:StartExecution", Some((R::StateMachine, Write))),
            ("states:Start*", Some((R::StateMachine, Write))),
            ("states:SendTaskSuccess", Some((R::StateMachine, Write))),
            ("states:DescribeExecution", Some((R::StateMachine, Read))),
            ("*", Some((R::Any, Write))),
            // Services flowdoc does not follow, and text that is no action.
            ("ses:SendEmail", None),
            ("logs:PutLogEvents", None),
            ("kms:Decrypt", None),
            ("dynamodbstreams:GetRecords", None),
            ("*:*", None),
            ("s*:Put*", None),
            ("sqs", None),
            ("sqs:", None),
            (":SendMessage", None),
            ("", None),
        ];
        for &(action, expected) in cases {
            assert_eq!(action_access(action), expected, "{action:?}");
        }
    }

    #[test]
    fn wildcard_match_handles_stars_marks_and_backtracking() {
        let cases = [
            ("*", "PutItem", true),
            ("*", "", true),
            ("", "", true),
            ("", "PutItem", false),
            ("Put*", "PutItem", true),
            ("*Item", "PutItem", true),
            ("*t*m", "PutItem", true),
            ("P?t*", "PutItem", true),
            ("P?tItem?", "PutItem", false),
            ("*Item*Item", "PutItemItem", true),
            ("*Item*Item", "PutItem", false),
            ("putitem", "PutItem", true),
            ("Put", "PutItem", false),
            ("PutItems", "PutItem", false),
        ];
        for (pattern, text, expected) in cases {
            assert_eq!(wildcard_match(pattern, text), expected, "{pattern:?} against {text:?}");
        }
    }

    #[test]
    fn any_covers_every_type_and_others_only_themselves() {
        assert!(R::Any.covers(R::SqsQueue));
        assert!(R::SqsQueue.covers(R::SqsQueue));
        assert!(!R::SqsQueue.covers(R::SnsTopic));
        assert!(!R::DynamoDbTable.covers(R::DynamoDbStream));
    }
}
