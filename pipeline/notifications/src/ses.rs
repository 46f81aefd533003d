//! The [`Notifier`] of the deployed function: Amazon SES (API v2) through the AWS SDK.
//!
//! Each notification is one `SendEmail` with simple content: its subject and a text body, both
//! UTF-8, to the one customer. SES sends only from an identity verified in the account and region
//! (the stack's parameter `SenderEmailAddress`, the function's `SENDER_EMAIL_ADDRESS`); while the
//! account is in the SES sandbox, the recipients must be verified too.

use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::error::DisplayErrorContext;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use tracing::info;

use crate::{Notification, Notifier, NotifyError};

/// The character set of every subject and body: the SDK sends strings, which are UTF-8.
const CHARSET: &str = "UTF-8";

/// Sends notifications through Amazon SES.
#[derive(Clone, Debug)]
pub struct SesNotifier {
    client: Client,
    from_address: String,
}

impl SesNotifier {
    /// The notifier that sends from `from_address` (the function's `SENDER_EMAIL_ADDRESS`), an
    /// identity SES has verified.
    pub fn new(client: Client, from_address: impl Into<String>) -> SesNotifier {
        SesNotifier { client, from_address: from_address.into() }
    }
}

impl Notifier for SesNotifier {
    async fn send(&self, notification: Notification) -> Result<(), NotifyError> {
        let Notification { to, subject, body } = notification;
        let message = Message::builder()
            .subject(text(subject)?)
            .body(Body::builder().text(text(body)?).build())
            .build();
        let output = self
            .client
            .send_email()
            .from_email_address(&self.from_address)
            .destination(Destination::builder().to_addresses(to).build())
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await
            .map_err(|error| NotifyError(DisplayErrorContext(error).to_string()))?;
        // SES's message id is what its bounce and complaint notifications name.
        info!(message_id = output.message_id.as_deref().unwrap_or_default(), "SES accepted the notification");
        Ok(())
    }
}

/// A subject or body as SES takes it.
fn text(data: String) -> Result<Content, NotifyError> {
    Content::builder().data(data).charset(CHARSET).build().map_err(|error| NotifyError(error.to_string()))
}
