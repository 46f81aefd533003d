//! The template's resources, created in the emulator with the template's own properties, and
//! the values CloudFormation would give their `Ref` and `Fn::GetAtt`.
//!
//! Each deployment has a stack name of its own, which prefixes every physical name as
//! CloudFormation does, so tests can share one emulator. Queue policies are not created: they
//! only let the topic send, and the emulator does not check permissions.

use std::collections::BTreeMap;

use aws_config::SdkConfig;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType, StreamSpecification,
    StreamViewType,
};
use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::json;

use crate::template::{Setting, Wiring};

/// A table in the emulator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    /// Its name (`Ref`).
    pub name: String,
    /// Its ARN (`GetAtt .Arn`).
    pub arn: String,
    /// Its stream's ARN (`GetAtt .StreamArn`), if it has a stream.
    pub stream_arn: Option<String>,
}

/// A queue in the emulator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Queue {
    /// Its name (`GetAtt .QueueName`).
    pub name: String,
    /// Its URL (`Ref`).
    pub url: String,
    /// Its ARN (`GetAtt .Arn`).
    pub arn: String,
}

/// The resources of one deployment of the template.
#[derive(Clone, Debug)]
pub struct Deployment {
    stack: String,
    parameters: BTreeMap<String, String>,
    tables: BTreeMap<String, Table>,
    queues: BTreeMap<String, Queue>,
    topics: BTreeMap<String, String>,
}

impl Deployment {
    /// A stack name no other deployment has, in this run or an earlier one against the same
    /// emulator.
    pub fn new_stack_name() -> String {
        crate::moto::unique_name("e2e")
    }

    /// Creates the template's tables, queues, topics and subscriptions in the emulator as the
    /// stack `stack`, with the given parameter values (every parameter of the template needs
    /// one).
    pub async fn create(
        config: &SdkConfig,
        wiring: &Wiring,
        stack: &str,
        parameters: BTreeMap<String, String>,
    ) -> Result<Deployment, String> {
        if let Some(missing) = wiring.parameters.iter().find(|name| !parameters.contains_key(*name)) {
            return Err(format!("the template's parameter {missing} has no value"));
        }
        let mut deployment = Deployment {
            stack: stack.to_owned(),
            parameters,
            tables: BTreeMap::new(),
            queues: BTreeMap::new(),
            topics: BTreeMap::new(),
        };
        let dynamodb = aws_sdk_dynamodb::Client::new(config);
        for (id, settings) in &wiring.tables {
            let name = deployment.physical_name(id);
            let mut request =
                dynamodb.create_table().table_name(&name).billing_mode(BillingMode::PayPerRequest);
            for (attribute, kind) in &settings.attributes {
                request = request.attribute_definitions(
                    AttributeDefinition::builder()
                        .attribute_name(attribute)
                        .attribute_type(ScalarAttributeType::from(kind.as_str()))
                        .build()
                        .map_err(|error| error.to_string())?,
                );
            }
            for (attribute, kind) in &settings.key_schema {
                request = request.key_schema(
                    KeySchemaElement::builder()
                        .attribute_name(attribute)
                        .key_type(KeyType::from(kind.as_str()))
                        .build()
                        .map_err(|error| error.to_string())?,
                );
            }
            if let Some(view) = &settings.stream_view_type {
                request = request.stream_specification(
                    StreamSpecification::builder()
                        .stream_enabled(true)
                        .stream_view_type(StreamViewType::from(view.as_str()))
                        .build()
                        .map_err(|error| error.to_string())?,
                );
            }
            let created = request.send().await.map_err(|error| failed(id, error))?;
            let description =
                created.table_description.ok_or_else(|| format!("{id}: no table description"))?;
            let table = Table {
                name,
                arn: description.table_arn.ok_or_else(|| format!("{id}: no table ARN"))?,
                stream_arn: description.latest_stream_arn,
            };
            deployment.tables.insert(id.clone(), table);
        }

        // Every queue first, then the redrive policies, which name other queues' ARNs.
        let sqs = aws_sdk_sqs::Client::new(config);
        for (id, settings) in &wiring.queues {
            let name = deployment.physical_name(id);
            let mut request = sqs
                .create_queue()
                .queue_name(&name)
                .attributes(QueueAttributeName::VisibilityTimeout, settings.visibility_timeout.to_string());
            if let Some(retention) = settings.message_retention_period {
                request =
                    request.attributes(QueueAttributeName::MessageRetentionPeriod, retention.to_string());
            }
            let url = request.send().await.map_err(|error| failed(id, error))?.queue_url.unwrap_or_default();
            let arn = queue_arn(&sqs, &url).await.map_err(|error| format!("{id}: {error}"))?;
            deployment.queues.insert(id.clone(), Queue { name, url, arn });
        }
        for (id, settings) in &wiring.queues {
            let Some(redrive) = &settings.redrive else { continue };
            let policy = json!({
                "deadLetterTargetArn": deployment.queue(&redrive.dead_letter_queue).arn,
                "maxReceiveCount": redrive.max_receive_count,
            });
            sqs.set_queue_attributes()
                .queue_url(&deployment.queue(id).url)
                .attributes(QueueAttributeName::RedrivePolicy, policy.to_string())
                .send()
                .await
                .map_err(|error| failed(id, error))?;
        }

        let sns = aws_sdk_sns::Client::new(config);
        for id in &wiring.topics {
            let created = sns
                .create_topic()
                .name(deployment.physical_name(id))
                .send()
                .await
                .map_err(|error| failed(id, error))?;
            deployment
                .topics
                .insert(id.clone(), created.topic_arn.ok_or_else(|| format!("{id}: no topic ARN"))?);
        }
        for subscription in &wiring.subscriptions {
            let mut request = sns
                .subscribe()
                .topic_arn(deployment.topic_arn(&subscription.topic))
                .protocol("sqs")
                .endpoint(&deployment.queue(&subscription.queue).arn)
                .return_subscription_arn(true)
                .attributes("RawMessageDelivery", subscription.raw_message_delivery.to_string());
            if let Some(policy) = &subscription.filter_policy {
                request = request.attributes("FilterPolicy", policy.to_string());
            }
            if let Some(scope) = &subscription.filter_policy_scope {
                request = request.attributes("FilterPolicyScope", scope);
            }
            if let Some(queue) = &subscription.dead_letter_queue {
                let policy = json!({ "deadLetterTargetArn": deployment.queue(queue).arn });
                request = request.attributes("RedrivePolicy", policy.to_string());
            }
            request.send().await.map_err(|error| failed(&subscription.id, error))?;
        }
        Ok(deployment)
    }

    /// The stack's name.
    pub fn stack(&self) -> &str {
        &self.stack
    }

    /// The physical name CloudFormation would give the resource `id` of this stack (without
    /// its random suffix).
    pub fn physical_name(&self, id: &str) -> String {
        format!("{}-{id}", self.stack)
    }

    /// The table `id`.
    pub fn table(&self, id: &str) -> &Table {
        self.tables.get(id).unwrap_or_else(|| panic!("the deployment has no table {id}"))
    }

    /// The queue `id`.
    pub fn queue(&self, id: &str) -> &Queue {
        self.queues.get(id).unwrap_or_else(|| panic!("the deployment has no queue {id}"))
    }

    /// The ARN of the topic `id`.
    pub fn topic_arn(&self, id: &str) -> &str {
        self.topics.get(id).unwrap_or_else(|| panic!("the deployment has no topic {id}"))
    }

    /// What a setting of the template comes to in this deployment.
    pub fn resolve(&self, setting: &Setting) -> Result<String, String> {
        let unknown = |what: &str| Err(format!("{what} names nothing this deployment has"));
        match setting {
            Setting::Text(text) => Ok(text.clone()),
            Setting::Ref(id) => {
                if let Some(value) = self.parameters.get(id) {
                    Ok(value.clone())
                } else if let Some(table) = self.tables.get(id) {
                    Ok(table.name.clone())
                } else if let Some(queue) = self.queues.get(id) {
                    Ok(queue.url.clone())
                } else if let Some(topic) = self.topics.get(id) {
                    Ok(topic.clone())
                } else {
                    unknown(&format!("!Ref {id}"))
                }
            }
            Setting::GetAtt(id, attribute) => {
                let value = match attribute.as_str() {
                    "Arn" => self
                        .tables
                        .get(id)
                        .map(|table| table.arn.clone())
                        .or_else(|| self.queues.get(id).map(|queue| queue.arn.clone())),
                    "StreamArn" => self.tables.get(id).and_then(|table| table.stream_arn.clone()),
                    "QueueName" => self.queues.get(id).map(|queue| queue.name.clone()),
                    "QueueUrl" => self.queues.get(id).map(|queue| queue.url.clone()),
                    "TopicArn" => self.topics.get(id).cloned(),
                    "TopicName" => self.topics.get(id).map(|_| self.physical_name(id)),
                    _ => None,
                };
                value.map_or_else(|| unknown(&format!("!GetAtt {id}.{attribute}")), Ok)
            }
        }
    }

    /// The environment variables Lambda would give the function `id`.
    pub fn environment(&self, wiring: &Wiring, id: &str) -> Result<BTreeMap<String, String>, String> {
        wiring
            .environment(id)
            .iter()
            .map(|(name, setting)| {
                let value = self.resolve(setting).map_err(|error| format!("{id}'s {name}: {error}"))?;
                Ok((name.clone(), value))
            })
            .collect()
    }
}

/// What went wrong with the resource `id`, with the SDK error's causes.
fn failed(id: &str, error: impl std::error::Error) -> String {
    format!("{id}: {}", DisplayErrorContext(error))
}

/// The ARN of the queue at `url`.
pub async fn queue_arn(sqs: &aws_sdk_sqs::Client, url: &str) -> Result<String, String> {
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(|error| aws_sdk_sqs::error::DisplayErrorContext(error).to_string())?;
    attributes
        .attributes
        .and_then(|mut attributes| attributes.remove(&QueueAttributeName::QueueArn))
        .ok_or_else(|| "no queue ARN".to_owned())
}
