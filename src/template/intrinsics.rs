//! What a value names: intrinsic functions followed to the resources they reference.
//!
//! `Ref`, `Fn::GetAtt` (both forms), `Fn::Sub` (with `${X}`, `${X.Attr}`, `${!Literal}` and
//! the variable map), `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::If` (both branches, each
//! conditional), `Fn::FindInMap` (through `Mappings`), `Fn::ImportValue` (an outside export),
//! parameter defaults, and literal names and ARNs, matched to the resources whose physical name
//! they are or else kept as outside things. `${AWS::...}` pseudo parameters are left alone.

use super::model::{Endpoint, External, Reference};
use super::types::{self, Lambda};
use super::yaml::{Node, Value};
use crate::location::Location;
use std::collections::{BTreeMap, BTreeSet};

/// The names one template defines, for resolving references in it.
#[derive(Debug, Default)]
pub(crate) struct Names<'a> {
    /// Resource types by logical ID.
    pub(crate) resources: BTreeMap<String, String>,
    /// Resource properties by logical ID (implicit resources have none).
    pub(crate) properties: BTreeMap<String, &'a Node>,
    /// Parameters and their defaults.
    pub(crate) parameters: BTreeMap<String, Option<&'a Node>>,
    /// `Mappings`.
    pub(crate) mappings: Option<&'a Node>,
    /// Physical names (`QueueName`, `TableName`, ...) as text, to the resource that has them.
    pub(crate) physical: BTreeMap<String, String>,
    /// The logical IDs of resources with a `Condition`: they may not exist.
    pub(crate) conditional: BTreeSet<String>,
    /// The template's path, for locations.
    pub(crate) path: String,
}

impl<'a> Names<'a> {
    /// Indexes the physical names of `resources` (logical ID, type, properties).
    pub(crate) fn index_physical_names(&mut self, resources: &[(&str, &str, Option<&Node>)]) {
        for (id, type_name, properties) in resources {
            let Some(property) = types::resource_type(type_name).and_then(|row| row.name_property) else {
                continue;
            };
            if let Some(name) =
                properties.and_then(|props| props.get(property)).and_then(|node| self.text(node))
            {
                self.physical.insert(name, (*id).to_owned());
            }
        }
    }

    /// The function an endpoint stands for: a function itself, or the function of a Lambda
    /// alias or version.
    pub(crate) fn function_of(&self, endpoint: &Endpoint) -> Option<String> {
        let id = endpoint.resource()?;
        match self.lambda(id)? {
            Lambda::Function => Some(id.to_owned()),
            Lambda::Qualifier => {
                let name = self.properties.get(id)?.get("FunctionName")?;
                let function = self.targets(name).into_iter().next()?.target.resource()?.to_owned();
                (self.lambda(&function)? == Lambda::Function).then_some(function)
            }
        }
    }

    /// `<stack>.Outputs.<name>` of a nested stack (or SAM application) resource of the template:
    /// that output, which the flow follows into the nested template.
    fn stack_output(&self, resource: &str, attribute: &str) -> Option<Endpoint> {
        let output = attribute.strip_prefix("Outputs.").filter(|output| !output.is_empty())?;
        let type_name = self.resources.get(resource)?;
        matches!(type_name.as_str(), "AWS::CloudFormation::Stack" | "AWS::Serverless::Application").then(
            || {
                Endpoint::External(External::StackOutput {
                    stack: resource.to_owned(),
                    output: output.to_owned(),
                })
            },
        )
    }

    /// How the resource `id` is a Lambda function, if it is one.
    fn lambda(&self, id: &str) -> Option<Lambda> {
        types::resource_type(self.resources.get(id)?)?.lambda
    }

    /// The type of a resource of the template.
    pub(crate) fn type_of(&self, endpoint: &Endpoint) -> Option<&str> {
        self.resources.get(endpoint.resource()?).map(String::as_str)
    }

    fn location(&self, node: &Node) -> Location {
        Location::new(self.path.clone(), node.line, node.column)
    }

    /// Every resource or outside thing `node` references, through intrinsic functions. A literal
    /// string is read as a name or ARN only where `expects_name` says the property holds one.
    pub(crate) fn references(&self, node: &Node, expects_name: bool) -> Vec<Reference> {
        let mut found = Vec::new();
        self.collect(node, expects_name, false, &mut found);
        let mut seen = BTreeSet::new();
        found.retain(|reference: &Reference| {
            seen.insert((reference.target.clone(), reference.attribute.clone()))
        });
        found
    }

    /// The single resource or outside thing a property names, with any alternatives behind
    /// `Fn::If`; the same as [`Names::references`] with names expected.
    pub(crate) fn targets(&self, node: &Node) -> Vec<Reference> {
        self.references(node, true)
    }

    fn collect(&self, node: &Node, expects_name: bool, conditional: bool, out: &mut Vec<Reference>) {
        if let Some((function, args)) = node.intrinsic() {
            self.intrinsic(node, function, args, expects_name, conditional, out);
            return;
        }
        match &node.value {
            Value::Scalar { text, .. } => {
                if expects_name && let Some(target) = self.literal(text) {
                    out.push(Reference {
                        target,
                        attribute: None,
                        conditional,
                        location: self.location(node),
                    });
                }
            }
            Value::Seq(items) => {
                for item in items {
                    self.collect(item, expects_name, conditional, out);
                }
            }
            Value::Map(entries) => {
                for (_, value) in entries {
                    self.collect(value, false, conditional, out);
                }
            }
            Value::Tagged(_, inner) => self.collect(inner, expects_name, conditional, out),
        }
    }

    fn intrinsic(
        &self,
        node: &Node,
        function: &str,
        args: &Node,
        expects_name: bool,
        conditional: bool,
        out: &mut Vec<Reference>,
    ) {
        let at = self.location(node);
        match function {
            "Ref" => {
                if let Some(name) = args.as_str() {
                    self.reference_name(name, None, at, conditional, out);
                }
            }
            "Fn::GetAtt" => {
                if let Some((resource, attribute)) = get_att(args) {
                    if let Some(target) = self.stack_output(&resource, &attribute) {
                        out.push(Reference { target, attribute: None, conditional, location: at });
                        return;
                    }
                    let target = if self.resources.contains_key(&resource) {
                        Endpoint::Resource(resource)
                    } else {
                        Endpoint::Missing(resource)
                    };
                    out.push(Reference { target, attribute: Some(attribute), conditional, location: at });
                }
            }
            "Fn::Sub" => {
                let (template, variables) = match &args.value {
                    Value::Seq(items) => (items.first(), items.get(1)),
                    _ => (Some(args), None),
                };
                let Some(template) = template.and_then(Node::as_str) else { return };
                // `${Param}` alone is the parameter's value; inside longer text a parameter is
                // only part of a name, which the whole text, read as a literal, resolves.
                let used = sub_variables(template);
                let whole = matches!(used.as_slice(), [only] if template.trim()
                    .strip_prefix("${")
                    .and_then(|rest| rest.strip_suffix('}'))
                    .is_some_and(|inner| inner.trim() == only));
                let first = out.len();
                for variable in used {
                    if let Some(value) = variables.and_then(|map| map.get(&variable)) {
                        if whole || !self.is_parameter_ref(value) {
                            self.collect(value, expects_name && whole, conditional, out);
                        }
                        continue;
                    }
                    let (name, attribute) = match variable.split_once('.') {
                        Some((name, attribute)) => (name.to_owned(), Some(attribute.to_owned())),
                        None => (variable.clone(), None),
                    };
                    if whole || !self.parameters.contains_key(&name) || self.resources.contains_key(&name) {
                        self.reference_name(&name, attribute, at.clone(), conditional, out);
                    }
                }
                self.push_whole_text(node, expects_name, first, at, conditional, out);
            }
            "Fn::Join" => {
                let first = out.len();
                if let Some(parts) = args.as_seq().and_then(|items| items.get(1)) {
                    match parts.as_seq() {
                        // As in `Fn::Sub`, a parameter among other parts is only part of a name.
                        Some(items) if items.len() > 1 => {
                            for part in items.iter().filter(|part| !self.is_parameter_ref(part)) {
                                self.collect(part, false, conditional, out);
                            }
                        }
                        _ => self.collect(parts, false, conditional, out),
                    }
                }
                self.push_whole_text(node, expects_name, first, at, conditional, out);
            }
            "Fn::Select" => {
                let items = args.as_seq().unwrap_or_default();
                let index = items
                    .first()
                    .and_then(|index| self.text(index))
                    .and_then(|text| text.parse::<usize>().ok());
                match (index, items.get(1).and_then(Node::as_seq)) {
                    (Some(index), Some(list)) => {
                        if let Some(item) = list.get(index) {
                            self.collect(item, expects_name, conditional, out);
                        }
                    }
                    _ => {
                        if let Some(list) = items.get(1) {
                            self.collect(list, expects_name, conditional, out);
                        }
                    }
                }
            }
            "Fn::Split" => {
                if let Some(source) = args.as_seq().and_then(|items| items.get(1)) {
                    self.collect(source, expects_name, conditional, out);
                }
            }
            "Fn::If" => {
                for branch in args.as_seq().unwrap_or_default().iter().skip(1) {
                    self.collect(branch, expects_name, true, out);
                }
            }
            "Fn::FindInMap" => {
                let (values, certain) = self.find_in_map(args);
                for value in values {
                    self.collect(value, expects_name, conditional || !certain, out);
                }
            }
            "Fn::ImportValue" => {
                let name = self.text(args).unwrap_or_else(|| "?".to_owned());
                let target = Endpoint::External(External::Import(name));
                out.push(Reference { target, attribute: None, conditional, location: at });
            }
            // Conditions and encodings hold no resource names of their own; look inside.
            _ => self.collect(args, false, conditional, out),
        }
    }

    /// `Ref NAME` or `${NAME}`: a resource, a parameter (followed to its default), or a pseudo
    /// parameter.
    fn reference_name(
        &self,
        name: &str,
        attribute: Option<String>,
        at: Location,
        conditional: bool,
        out: &mut Vec<Reference>,
    ) {
        if name.starts_with("AWS::") {
            return;
        }
        if let Some(target) = attribute.as_deref().and_then(|attribute| self.stack_output(name, attribute)) {
            out.push(Reference { target, attribute: None, conditional, location: at });
            return;
        }
        if self.resources.contains_key(name) {
            out.push(Reference {
                target: Endpoint::Resource(name.to_owned()),
                attribute,
                conditional,
                location: at,
            });
            return;
        }
        // SAM lets `!Ref MyFunction.Alias` (and `.Version`) name the function's published alias.
        if let Some((function, "Alias" | "Version")) = name.split_once('.')
            && self.resources.get(function).is_some_and(|type_name| type_name == "AWS::Serverless::Function")
        {
            out.push(Reference {
                target: Endpoint::Resource(function.to_owned()),
                attribute: None,
                conditional,
                location: at,
            });
            return;
        }
        if let Some(default) = self.parameters.get(name) {
            let target = default
                .and_then(|node| self.text(node))
                .and_then(|text| self.literal(&text))
                .unwrap_or_else(|| Endpoint::External(External::Parameter(name.to_owned())));
            out.push(Reference { target, attribute: None, conditional, location: at });
            return;
        }
        out.push(Reference {
            target: Endpoint::Missing(name.to_owned()),
            attribute,
            conditional,
            location: at,
        });
    }

    /// The text `node` (a `Fn::Sub` or `Fn::Join`) builds, read as a literal name or ARN, where a
    /// name is expected and the references found from `first` on name no resource: an ARN built
    /// around `${Queue.Arn}` is that queue, not an outside ARN.
    fn push_whole_text(
        &self,
        node: &Node,
        expects_name: bool,
        first: usize,
        at: Location,
        conditional: bool,
        out: &mut Vec<Reference>,
    ) {
        let names_resource = out[first..].iter().any(|reference| {
            reference.target.resource().is_some()
                || matches!(reference.target, Endpoint::External(External::StackOutput { .. }))
        });
        if expects_name
            && !names_resource
            && let Some(text) = self.text(node)
            && let Some(target) = self.literal(&text)
            && !out.iter().any(|reference| reference.target == target)
        {
            out.push(Reference { target, attribute: None, conditional, location: at });
        }
    }

    /// Whether `node` is `Ref` to a template parameter.
    fn is_parameter_ref(&self, node: &Node) -> bool {
        matches!(node.intrinsic(), Some(("Ref", name)) if name.as_str().is_some_and(|name| {
            self.parameters.contains_key(name) && !self.resources.contains_key(name)
        }))
    }

    /// A literal where a name or ARN is expected: the resource with that physical name (or
    /// whose physical name the ARN or SQS queue URL ends in), or an outside ARN. Other text
    /// names nothing.
    fn literal(&self, text: &str) -> Option<Endpoint> {
        if let Some(id) = self.physical.get(text) {
            return Some(Endpoint::Resource(id.clone()));
        }
        // `${AWS::Region}` and the like hold colons; out of the way, the ARN's fields parse.
        let plain = text.replace("${AWS::", "${AWS_");
        let named = |name: &str| {
            let id = self.physical.get(&name.replace("${AWS_", "${AWS::"))?;
            Some(Endpoint::Resource(id.clone()))
        };
        if text.starts_with("arn:") {
            if is_default_bus_arn(&plain) {
                return Some(Endpoint::External(External::DefaultEventBus));
            }
            return arn_resource_name(&plain)
                .and_then(named)
                .or_else(|| Some(Endpoint::External(External::Arn(text.to_owned()))));
        }
        queue_url_name(&plain).and_then(named)
    }

    /// What an EventBridge bus name or ARN names: `default` is the account's default bus (no
    /// custom bus may have that name); anything else as [`Names::targets`].
    pub(crate) fn bus_targets(&self, node: &Node) -> Vec<Reference> {
        if node.intrinsic().is_none_or(|(function, _)| function == "Ref")
            && self.text(node).is_some_and(|text| text == "default")
        {
            return vec![Reference {
                target: Endpoint::External(External::DefaultEventBus),
                attribute: None,
                conditional: false,
                location: self.location(node),
            }];
        }
        self.targets(node)
    }

    /// The values `Fn::FindInMap` can give, and whether the keys were all known.
    fn find_in_map(&self, args: &Node) -> (Vec<&'a Node>, bool) {
        let items = args.as_seq().unwrap_or_default();
        let Some(mappings) = self.mappings else { return (Vec::new(), false) };
        let mut level: Vec<&'a Node> = match items.first().and_then(|name| self.text(name)) {
            Some(name) => mappings.get(&name).into_iter().collect(),
            None => mappings.as_map().unwrap_or_default().iter().map(|(_, map)| map).collect(),
        };
        let mut certain = true;
        for key in items.iter().skip(1).take(2) {
            level = match self.text(key).filter(|key| !key.contains("${")) {
                Some(key) => level.iter().filter_map(|map| map.get(&key)).collect(),
                None => {
                    certain = false;
                    level
                        .iter()
                        .flat_map(|map| map.as_map().unwrap_or_default().iter().map(|(_, v)| v))
                        .collect()
                }
            };
        }
        (level, certain)
    }

    /// The value as text, where it is one: literals, `Ref` to parameters with defaults, and
    /// `Fn::Sub` / `Fn::Join` / `Fn::Select` / `Fn::FindInMap` of such. Pseudo parameters and
    /// resource names stay as `${AWS::Region}` and `${Resource}` placeholders, so two values
    /// built the same way compare equal.
    pub(crate) fn text(&self, node: &Node) -> Option<String> {
        if let Some((function, args)) = node.intrinsic() {
            return match function {
                "Ref" => self.name_text(args.as_str()?),
                // A placeholder, as `${X.Attr}` is inside `Fn::Sub`, so a value built from it
                // (a JSON policy string with a variable map) still names `X`.
                "Fn::GetAtt" => {
                    get_att(args).map(|(resource, attribute)| format!("${{{resource}.{attribute}}}"))
                }
                "Fn::Sub" => {
                    let (template, variables) = match &args.value {
                        Value::Seq(items) => (items.first()?.as_str()?, items.get(1)),
                        _ => (args.as_str()?, None),
                    };
                    substitute(template, |variable| match variables.and_then(|map| map.get(variable)) {
                        Some(value) => self.text(value),
                        None if variable.contains('.') => Some(format!("${{{variable}}}")),
                        None => self.name_text(variable),
                    })
                }
                "Fn::Join" => {
                    let items = args.as_seq()?;
                    let delimiter = items.first()?.as_str()?;
                    let parts: Option<Vec<String>> =
                        items.get(1)?.as_seq()?.iter().map(|part| self.text(part)).collect();
                    Some(parts?.join(delimiter))
                }
                "Fn::Select" => {
                    let items = args.as_seq()?;
                    let index: usize = self.text(items.first()?)?.parse().ok()?;
                    self.text(items.get(1)?.as_seq()?.get(index)?)
                }
                "Fn::FindInMap" => match self.find_in_map(args) {
                    (values, true) => self.text(values.first()?),
                    _ => None,
                },
                _ => None,
            };
        }
        match &node.value {
            Value::Scalar { text, .. } => Some(text.clone()),
            _ => None,
        }
    }

    fn name_text(&self, name: &str) -> Option<String> {
        if name.starts_with("AWS::") || self.resources.contains_key(name) {
            return Some(format!("${{{name}}}"));
        }
        match self.parameters.get(name) {
            Some(Some(default)) => self.text(default),
            _ => Some(format!("${{{name}}}")),
        }
    }
}

/// `X.Attr` or `[X, Attr]` as resource and attribute; attributes may have dots
/// (`Outputs.QueueArn`).
fn get_att(args: &Node) -> Option<(String, String)> {
    match &args.value {
        Value::Scalar { text, .. } => {
            let (resource, attribute) = text.split_once('.')?;
            Some((resource.to_owned(), attribute.to_owned()))
        }
        Value::Seq(items) => {
            let resource = items.first()?.as_str()?.to_owned();
            let attribute = items.get(1).and_then(Node::as_str).unwrap_or("").to_owned();
            Some((resource, attribute))
        }
        _ => None,
    }
}

/// The `${...}` variables of a `Fn::Sub` template, without `${!Literal}` escapes.
pub(crate) fn sub_variables(template: &str) -> Vec<String> {
    let mut variables = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let variable = after[..end].trim();
        if !variable.starts_with('!') && !variable.is_empty() {
            variables.push(variable.to_owned());
        }
        rest = &after[end + 1..];
    }
    variables
}

/// `template` with each `${variable}` replaced by `value(variable)`; `${!x}` becomes `${x}`.
fn substitute(template: &str, mut value: impl FnMut(&str) -> Option<String>) -> Option<String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Some(out);
        };
        let variable = &after[..end];
        match variable.strip_prefix('!') {
            Some(literal) => {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            }
            None => out.push_str(&value(variable.trim())?),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// Whether an ARN is the account's default EventBridge bus: `arn:aws:events:r:a:event-bus/default`.
fn is_default_bus_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    matches!(parts.as_slice(), [_, _, "events", _, _, "event-bus/default"])
}

/// The queue name an SQS queue URL ends in: `https://sqs.<region>.amazonaws.com/<account>/<name>`
/// (what `Ref` of a queue gives) or the legacy `https://queue.amazonaws.com/<account>/<name>`.
fn queue_url_name(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("https://")?;
    let (host, path) = rest.split_once('/')?;
    if !(host.starts_with("sqs.") || host == "queue.amazonaws.com") {
        return None;
    }
    let name = path.rsplit('/').next()?;
    (!name.is_empty()).then_some(name)
}

/// The physical name an ARN ends in, by service: `arn:aws:sqs:r:a:NAME`,
/// `arn:aws:dynamodb:r:a:table/NAME[/stream/...]`, `arn:aws:lambda:r:a:function:NAME[:alias]`,
/// `arn:aws:s3:::NAME[/key]`, and the like.
fn arn_resource_name(arn: &str) -> Option<&str> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [_, _, service, _, _, resource] = parts.as_slice() else { return None };
    let name = match *service {
        "sqs" | "sns" => resource,
        "lambda" => resource.strip_prefix("function:")?.split(':').next()?,
        "dynamodb" | "kinesis" | "firehose" | "events" => resource.split('/').nth(1)?,
        "s3" => resource.split('/').next()?,
        "states" => resource.strip_prefix("stateMachine:")?,
        _ => return None,
    };
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::yaml::{YamlLimits, parse};

    fn names(doc: &Node) -> Names<'_> {
        let mut names = Names { path: "t.yaml".into(), mappings: doc.get("Mappings"), ..Names::default() };
        let resources = doc.get("Resources").and_then(Node::as_map).unwrap_or_default();
        let mut entries = Vec::new();
        for (id, resource) in resources {
            let id = id.as_str().unwrap();
            let type_name = resource.get("Type").and_then(Node::as_str).unwrap();
            names.resources.insert(id.to_owned(), type_name.to_owned());
            entries.push((id, type_name, resource.get("Properties")));
        }
        for (name, parameter) in doc.get("Parameters").and_then(Node::as_map).unwrap_or_default() {
            names.parameters.insert(name.as_str().unwrap().to_owned(), parameter.get("Default"));
        }
        names.index_physical_names(&entries);
        names
    }

    const TEMPLATE: &str = r#"
Parameters:
  Stage: {Type: String, Default: prod}
  ExistingQueueArn: {Type: String}
  SharedTopicArn: {Type: String, Default: "arn:aws:sns:eu-west-1:123456789012:shared"}
Mappings:
  Queues:
    prod: {Name: orders-prod}
    dev: {Name: orders-dev}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  Orders:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "orders-${Stage}"
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Join ["-", [!Ref "AWS::StackName", orders]]
  Fn:
    Type: AWS::Serverless::Function
Values:
  ref: !Ref Orders
  getatt_dotted: !GetAtt Orders.Arn
  getatt_list: !GetAtt [Table, StreamArn]
  sub: !Sub "${Orders.Arn}/${Fn}/${AWS::Region}/${!Literal}"
  sub_map: !Sub ["${Q}", {Q: !GetAtt Orders.QueueName}]
  join: !Join [",", [!Ref Orders, !Ref Table]]
  select: !Select [1, [!Ref Orders, !Ref Table]]
  split: !Split [",", !Ref Fn]
  if: !If [IsProd, !Ref Orders, !Ref AWS::NoValue]
  map_known: !FindInMap [Queues, prod, Name]
  map_unknown: !FindInMap [Queues, !Ref AWS::Region, Name]
  import: !ImportValue {"Fn::Sub": "${AWS::StackName}-Bus"}
  arn: "arn:aws:sqs:us-east-1:123456789012:orders-prod"
  lambda_arn: !Sub "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:other:live"
  external_arn: "arn:aws:sqs:us-east-1:123456789012:elsewhere"
  param_without_default: !Ref ExistingQueueArn
  param_with_arn_default: !Ref SharedTopicArn
  missing: !Ref Nope
  missing_getatt: !GetAtt Nope.Arn
  name_by_sub: !Sub "${AWS::StackName}-orders"
  plain_text: "just words"
  arn_with_pseudo: !Sub "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:orders-prod"
  queue_url: !Sub "https://sqs.${AWS::Region}.amazonaws.com/${AWS::AccountId}/orders-${Stage}"
  fragment: !Sub "orders-${Stage}"
  arn_around_resource: !Sub "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:${Fn}"
  default_bus: "arn:aws:events:us-east-1:123456789012:event-bus/default"
  alias: !Ref Fn.Alias
"#;

    fn resolve(key: &str) -> Vec<String> {
        let doc = parse(TEMPLATE, YamlLimits::default()).unwrap().root;
        let names = names(&doc);
        names
            .targets(doc.path(&["Values", key]).unwrap())
            .iter()
            .map(|reference| {
                let target = match &reference.target {
                    Endpoint::Resource(id) => id.clone(),
                    Endpoint::External(external) => format!("external {}", external.label()),
                    Endpoint::Missing(id) => format!("missing {id}"),
                };
                let attribute = reference.attribute.as_deref().map(|a| format!(".{a}")).unwrap_or_default();
                let conditional = if reference.conditional { " (conditional)" } else { "" };
                format!("{target}{attribute}{conditional}")
            })
            .collect()
    }

    #[test]
    fn intrinsics_name_what_they_reference() {
        let cases: &[(&str, &[&str])] = &[
            ("ref", &["Orders"]),
            ("getatt_dotted", &["Orders.Arn"]),
            ("getatt_list", &["Table.StreamArn"]),
            ("sub", &["Orders.Arn", "Fn"]),
            ("sub_map", &["Orders.QueueName"]),
            ("join", &["Orders", "Table"]),
            ("select", &["Table"]),
            ("split", &["Fn"]),
            ("if", &["Orders (conditional)"]),
            ("map_known", &["Orders"]),
            ("map_unknown", &["Orders (conditional)"]),
            ("import", &["external import:${AWS::StackName}-Bus"]),
            ("arn", &["Orders"]),
            ("lambda_arn", &["external arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:other:live"]),
            ("external_arn", &["external arn:aws:sqs:us-east-1:123456789012:elsewhere"]),
            ("param_without_default", &["external ExistingQueueArn"]),
            ("param_with_arn_default", &["external arn:aws:sns:eu-west-1:123456789012:shared"]),
            ("missing", &["missing Nope"]),
            ("missing_getatt", &["missing Nope.Arn"]),
            ("name_by_sub", &["Table"]),
            ("plain_text", &[]),
            ("arn_with_pseudo", &["Orders"]),
            ("queue_url", &["Orders"]),
            ("fragment", &["Orders"]),
            ("arn_around_resource", &["Fn"]),
            ("default_bus", &["external default"]),
            ("alias", &["Fn"]),
        ];
        for (key, expected) in cases {
            assert_eq!(resolve(key), *expected, "{key}");
        }
    }

    #[test]
    fn text_keeps_placeholders() {
        let doc = parse(TEMPLATE, YamlLimits::default()).unwrap().root;
        let names = names(&doc);
        let text = |key: &str| names.text(doc.path(&["Values", key]).unwrap());
        assert_eq!(text("sub").as_deref(), Some("${Orders.Arn}/${Fn}/${AWS::Region}/${Literal}"));
        assert_eq!(text("join").as_deref(), Some("${Orders},${Table}"));
        assert_eq!(text("map_known").as_deref(), Some("orders-prod"));
        assert_eq!(text("map_unknown"), None);
        assert_eq!(names.physical.get("orders-prod").map(String::as_str), Some("Orders"));
    }

    #[test]
    fn arn_names() {
        let cases = [
            ("arn:aws:sqs:r:a:orders", Some("orders")),
            ("arn:aws:dynamodb:r:a:table/Orders/stream/2024", Some("Orders")),
            ("arn:aws:lambda:r:a:function:fn:live", Some("fn")),
            ("arn:aws:s3:::bucket/key/*", Some("bucket")),
            ("arn:aws:events:r:a:event-bus/bus", Some("bus")),
            ("arn:aws:states:r:a:stateMachine:flow", Some("flow")),
            ("arn:aws:iam::a:role/x", None),
            ("not-an-arn", None),
        ];
        for (arn, expected) in cases {
            assert_eq!(arn_resource_name(arn), expected, "{arn}");
        }
    }
}
