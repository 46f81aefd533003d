//! Cognito user pool triggers: each entry of an `AWS::Cognito::UserPool`'s `LambdaConfig`
//! (`PreSignUp`, `PostConfirmation`, `CustomMessage`, `PreTokenGenerationConfig.LambdaArn`,
//! `CustomEmailSender.LambdaArn`, ...) is a trigger of its function by the user pool, labelled
//! with the trigger's name. Cognito invokes its triggers synchronously.

use super::emit::Emit;
use super::model::{Endpoint, RelationKind, Trigger, TriggerSource};
use super::yaml::Node;

/// `LambdaConfig` entries that name no function.
const NOT_TRIGGERS: &[&str] = &["KMSKeyID"];

/// Reads an `AWS::Cognito::UserPool` `id`.
pub(crate) fn user_pool(emit: &mut Emit<'_, '_>, id: &str, props: &Node) {
    let this = Endpoint::Resource(id.to_owned());
    let Some(config) = props.get("LambdaConfig") else { return };
    for (key, value) in config.as_map().unwrap_or_default() {
        let Some(name) = key.as_str() else { continue };
        if NOT_TRIGGERS.contains(&name) {
            continue;
        }
        // `CustomEmailSender`, `CustomSMSSender`, `PreTokenGenerationConfig`: `{LambdaArn, ...}`.
        let arn = if value.as_map().is_some() && value.intrinsic().is_none() {
            value.get("LambdaArn")
        } else {
            Some(value)
        };
        let Some(arn) = arn else {
            emit.warn(key, format!("user pool trigger `{name}` without a LambdaArn"));
            continue;
        };
        // `PreTokenGenerationConfig` is the `PreTokenGeneration` trigger, with a version.
        let label = name.strip_suffix("Config").unwrap_or(name).to_owned();
        let kind = RelationKind::Trigger(trigger(&label, Some(label.clone())));
        for reference in emit.targets(arn) {
            let function =
                emit.names.function_of(&reference.target).map_or(reference.target, Endpoint::Resource);
            emit.relate(this.clone(), function, kind.clone(), key, reference.conditional);
        }
    }
}

/// A Cognito trigger called `name`, labelled `route`.
pub(crate) fn trigger(name: &str, route: Option<String>) -> Trigger {
    Trigger {
        source: TriggerSource::Cognito,
        name: name.to_owned(),
        route,
        enabled: true,
        ..Trigger::default()
    }
}

/// A SAM `Cognito` event `name` of the function `function`: `UserPool` triggers it for each
/// of `Trigger` (one name or a list).
pub(crate) fn sam_event(emit: &mut Emit<'_, '_>, function: &Endpoint, name: &Node, props: &Node) {
    let event_name = name.as_str().unwrap_or_default();
    let Some(pool) = props.get("UserPool") else {
        emit.warn(name, "Cognito event without a UserPool; it is ignored");
        return;
    };
    let triggers = emit.strings(props.get("Trigger"));
    let route = Some(triggers.join(", ")).filter(|label| !label.is_empty());
    let kind = RelationKind::Trigger(trigger(event_name, route));
    emit.relate_from_targets(pool, function, &kind, name, false);
}
