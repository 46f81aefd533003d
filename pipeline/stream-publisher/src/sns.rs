//! The [`EventPublisher`] of the deployed function: the `OrderEventsTopic` through the AWS SDK.
//!
//! Each message's attributes become SNS message attributes of type `String`, which the
//! subscriptions' filter policies match (`event_type`) and consumers log (`correlation_id`).

use aws_sdk_sns::Client;
use aws_sdk_sns::error::DisplayErrorContext;
use aws_sdk_sns::types::MessageAttributeValue;
use order_events::Message;

use crate::{EventPublisher, PublishError};

/// The orders topic in SNS.
#[derive(Clone, Debug)]
pub struct SnsPublisher {
    client: Client,
    topic_arn: String,
}

impl SnsPublisher {
    /// The publisher to the topic `topic_arn` (the function's `ORDER_EVENTS_TOPIC_ARN`).
    pub fn new(client: Client, topic_arn: impl Into<String>) -> SnsPublisher {
        SnsPublisher { client, topic_arn: topic_arn.into() }
    }
}

impl EventPublisher for SnsPublisher {
    async fn publish(&self, message: Message) -> Result<(), PublishError> {
        let mut request = self.client.publish().topic_arn(&self.topic_arn).message(message.body);
        for (name, value) in message.attributes {
            let value = MessageAttributeValue::builder()
                .data_type("String")
                .string_value(value)
                .build()
                .map_err(|error| PublishError(error.to_string()))?;
            request = request.message_attributes(name, value);
        }
        request.send().await.map_err(|error| PublishError(DisplayErrorContext(error).to_string()))?;
        Ok(())
    }
}
