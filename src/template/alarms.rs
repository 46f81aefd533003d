//! CloudWatch alarm actions: an `AWS::CloudWatch::Alarm` or `CompositeAlarm` notifies the SNS
//! topics of its `AlarmActions`, `OKActions` and `InsufficientDataActions` when it enters that
//! state (a route labelled with the state), and invokes the functions there (asynchronously).
//! Other actions (Auto Scaling policies, EC2 actions, Systems Manager) move no data; what an
//! alarm watches (its metric's dimensions) is not flow either.

use super::emit::Emit;
use super::model::{Endpoint, External, RelationKind, Route, RouteVia, Trigger, TriggerSource};
use super::yaml::Node;

/// The action lists and the state each is for.
const ACTION_LISTS: [(&str, &str); 3] =
    [("AlarmActions", "ALARM"), ("OKActions", "OK"), ("InsufficientDataActions", "INSUFFICIENT_DATA")];

/// Reads an `AWS::CloudWatch::Alarm` or `AWS::CloudWatch::CompositeAlarm` `id`.
pub(crate) fn alarm(emit: &mut Emit<'_, '_>, id: &str, props: &Node) {
    let this = Endpoint::Resource(id.to_owned());
    for (list, state) in ACTION_LISTS {
        let Some((key, actions)) = props.entry(list) else { continue };
        let route = RelationKind::Route(Route {
            via: RouteVia::AlarmAction,
            label: Some(state.to_owned()),
            ..Route::default()
        });
        let trigger = RelationKind::Trigger(Trigger {
            source: TriggerSource::Generic("CloudWatchAlarm".into()),
            name: list.to_owned(),
            asynchronous: true,
            route: Some(state.to_owned()),
            enabled: true,
            ..Trigger::default()
        });
        for reference in emit.targets(actions) {
            if let Some(function) = emit.names.function_of(&reference.target) {
                let to = Endpoint::Resource(function);
                emit.relate(this.clone(), to, trigger.clone(), key, reference.conditional);
            } else if notifies(emit, &reference.target) {
                emit.relate(this.clone(), reference.target, route.clone(), key, reference.conditional);
            }
        }
    }
}

/// Whether an alarm action names something it sends data to: an SNS topic (of the template,
/// by ARN, or an import, parameter or nested stack's output, which in an action list is a topic's
/// ARN as a rule).
fn notifies(emit: &Emit<'_, '_>, target: &Endpoint) -> bool {
    match target {
        Endpoint::Resource(_) => emit.names.type_of(target) == Some("AWS::SNS::Topic"),
        Endpoint::External(External::Arn(arn)) => arn.starts_with("arn:aws:sns:") || arn.contains(":sns:"),
        Endpoint::External(External::Import(_) | External::Parameter(_) | External::StackOutput { .. }) => {
            true
        }
        _ => false,
    }
}
