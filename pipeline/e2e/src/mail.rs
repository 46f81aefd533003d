//! The mail the emulator's SES accepted, read back through moto's own API
//! ([`Moto::sent_mail`]): SES has no API to read sent mail.

use serde_json::Value;

use crate::moto::Moto;

/// One e-mail SES accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mail {
    /// The sender.
    pub from: String,
    /// The recipients, comma-separated.
    pub to: String,
    /// The subject line.
    pub subject: String,
    /// The text.
    pub body: String,
}

/// The mail sent from `sender`, oldest first.
pub fn sent_by(moto: &Moto, sender: &str) -> Vec<Mail> {
    let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
    moto.sent_mail()
        .iter()
        .filter(|message| message["source"] == sender)
        .map(|message| Mail {
            from: text(&message["source"]),
            to: message["destinations"]["ToAddresses"]
                .as_array()
                .map(|addresses| addresses.iter().map(text).collect::<Vec<_>>().join(", "))
                .unwrap_or_default(),
            subject: text(&message["subject"]),
            body: text(&message["body"]),
        })
        .collect()
}
