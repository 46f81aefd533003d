//! The plan: the domains, functions, events and template blocks of the project, decided before
//! any file is written, and the steps that add functions and events to it.

use super::Options;
use super::motifs::{
    bus_fan_out, fan_out, kinesis_chain, listener, lone_job, publish_integration, queue_chain, scheduled_job,
    table_chain, topic_consumer,
};
use super::rng::Rng;
use super::text::{article, fill, pascal, snake, words};
use super::vocabulary::{DOMAINS, EVENT_FIELDS, GENERIC_ENTITIES, REGIONS, Ty};
use std::collections::BTreeSet;

/// Everything generated, before it is written out.
#[derive(Debug, Default)]
pub(super) struct Plan {
    pub(super) domains: Vec<Domain>,
    pub(super) events: Vec<EventSpec>,
    /// Event names and Rust type names in use.
    event_names: BTreeSet<String>,
    /// Logical IDs in use, across all templates.
    ids: BTreeSet<String>,
}

/// A thing a domain deals with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Entity {
    pub(super) snake: String,
    pub(super) plural: String,
}

impl Entity {
    /// A thing from its `singular/plural` entry in the vocabulary.
    fn parse(text: &str) -> Entity {
        let (snake, plural) = text.split_once('/').unwrap_or((text, text));
        Entity { snake: snake.to_owned(), plural: plural.to_owned() }
    }

    /// The thing in Pascal case: `GiftCard`.
    pub(super) fn pascal(&self) -> String {
        pascal(&self.snake)
    }

    /// The thing in words: `gift card`.
    pub(super) fn words(&self) -> String {
        words(&self.snake)
    }
}

/// A field of an event.
#[derive(Clone, Debug)]
pub(super) struct Field {
    pub(super) name: String,
    pub(super) ty: Ty,
    pub(super) doc: String,
}

/// What an event type looks like in Rust.
#[derive(Clone, Debug)]
pub(super) enum Shape {
    Struct(Vec<Field>),
    /// Struct variants: name, doc and fields.
    Enum(Vec<(String, String, Vec<Field>)>),
    /// An event named by a string, with no Rust type.
    Untyped,
}

/// One event type.
#[derive(Clone, Debug)]
pub(super) struct EventSpec {
    /// The name events travel under: the type name, or `#[event(name = ...)]`.
    pub(super) name: String,
    /// The Rust type, if it has one.
    pub(super) rust: Option<String>,
    /// The `#[event]` attribute as written.
    pub(super) attribute: String,
    pub(super) domain: usize,
    pub(super) entity: Entity,
    pub(super) doc: String,
    pub(super) shape: Shape,
}

/// Where an annotation says an event goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Dest {
    /// `to = "LogicalId"`.
    Logical(String),
    /// `to = env("VAR")`.
    Env,
}

/// An event a function sends somewhere.
#[derive(Clone, Debug)]
pub(super) struct Produce {
    pub(super) event: usize,
    pub(super) dest: Dest,
    /// The environment variable that holds the destination (also for `Dest::Logical`).
    pub(super) var: String,
    /// What the destination is, for docs: `queue`, `topic`, `table`, `bus`, `stream`.
    pub(super) kind: &'static str,
}

/// An event a function receives, and the resource it comes from.
#[derive(Clone, Debug)]
pub(super) struct Consume {
    pub(super) event: usize,
    pub(super) from: String,
}

/// An API route of a function.
#[derive(Clone, Debug)]
pub(super) struct Route {
    pub(super) method: &'static str,
    pub(super) path: String,
    /// The request's verb, as in `create`.
    pub(super) verb: &'static str,
    pub(super) event: usize,
}

/// How a function is invoked, which decides how its handler reads its input.
#[derive(Clone, Debug)]
pub(super) enum Trigger {
    Api(Vec<Route>),
    Stream,
    Kinesis,
    Queue,
    Sns,
    Bus,
    Schedule(String),
}

/// Where the handler annotations go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Style {
    /// All on the entry point.
    Stacked,
    /// On one function per event or route.
    PerItem,
    /// On the methods of an `impl` block.
    Methods,
}

/// A Lambda function and the crate that holds its code.
#[derive(Clone, Debug)]
pub(super) struct Function {
    pub(super) id: String,
    /// The crate folder, relative to the domain folder.
    pub(super) dir: String,
    pub(super) package: String,
    pub(super) entity: Entity,
    pub(super) role: String,
    pub(super) description: String,
    pub(super) trigger: Trigger,
    pub(super) consumes: Vec<Consume>,
    pub(super) produces: Vec<Produce>,
    pub(super) env: Vec<(String, String)>,
    pub(super) policies: Vec<String>,
    pub(super) timeout: u32,
    pub(super) memory: u32,
    /// Extra properties (dead-letter queue, invoke config), indented for `Properties`.
    pub(super) extra: Vec<String>,
    /// Entries of `Events`, indented for `Events`.
    pub(super) events: Vec<String>,
}

impl Function {
    /// Sets the environment variable `var` of the function, unless it is set already.
    pub(super) fn add_env(&mut self, var: &str, value: &str) {
        if !self.env.iter().any(|(name, _)| name == var) {
            self.env.push((var.to_owned(), value.to_owned()));
        }
    }

    /// Adds `policy` to the function, unless it has it already.
    pub(super) fn add_policy(&mut self, policy: String) {
        if !self.policies.contains(&policy) {
            self.policies.push(policy);
        }
    }

    /// A variable name for a new destination that no other destination of the function uses.
    pub(super) fn free_var(&self, wanted: &str) -> String {
        let mut var = wanted.to_owned();
        let mut n = 2;
        while self.env.iter().any(|(name, _)| *name == var) {
            var = format!("{wanted}_{n}");
            n += 1;
        }
        var
    }
}

/// What a template holds, in order: resources, functions (written last, once complete), and
/// section comments.
#[derive(Clone, Debug)]
pub(super) enum Block {
    Comment(String),
    Resource(String),
    Function(usize),
}

/// A topic that fans out the events of a table.
#[derive(Clone, Debug)]
pub(super) struct Topic {
    pub(super) id: String,
    pub(super) dead_letter: String,
    pub(super) events: Vec<usize>,
    pub(super) entity: Entity,
}

/// A domain: its functions, events and template blocks, and what planning it needs.
#[derive(Debug)]
pub(super) struct Domain {
    pub(super) index: usize,
    /// `orders`, `orders_eu`.
    pub(super) name: String,
    pub(super) pascal: String,
    /// `services/orders`.
    pub(super) dir: String,
    pub(super) description: String,
    pub(super) functions: Vec<Function>,
    pub(super) blocks: Vec<Block>,
    /// Typed events of the domain's events crate.
    pub(super) events: Vec<usize>,
    pub(super) bus: Option<String>,
    pub(super) has_api: bool,
    /// Outputs: name, description, value, exported.
    pub(super) outputs: Vec<(String, String, String, bool)>,
    // Planning state.
    pub(super) entity_pool: Vec<Entity>,
    entities_used: usize,
    dirs: BTreeSet<String>,
    pub(super) topics: Vec<Topic>,
    pub(super) leaves: Vec<usize>,
}

impl Domain {
    /// The domain's name in kebab case: `orders-eu`.
    pub(super) fn kebab(&self) -> String {
        self.name.replace('_', "-")
    }

    /// The package name of the domain's events crate.
    pub(super) fn events_crate(&self) -> String {
        format!("{}-events", self.kebab())
    }

    /// The events crate's name in Rust code.
    pub(super) fn events_ident(&self) -> String {
        format!("{}_events", self.name)
    }

    /// A thing not used yet by a motif, or any thing once all are.
    pub(super) fn next_entity(&mut self, rng: &mut Rng) -> Entity {
        if self.entities_used < self.entity_pool.len() {
            self.entities_used += 1;
            return self.entity_pool[self.entities_used - 1].clone();
        }
        rng.pick(&self.entity_pool).clone()
    }

    /// A thing a motif already uses, or the next one when none is used yet.
    pub(super) fn used_entity(&mut self, rng: &mut Rng) -> Entity {
        if self.entities_used == 0 {
            return self.next_entity(rng);
        }
        self.entity_pool[rng.below(self.entities_used)].clone()
    }

    /// Adds a section comment to the domain's template.
    pub(super) fn comment(&mut self, text: String) {
        self.blocks.push(Block::Comment(text));
    }

    /// Adds resources, as YAML under `Resources`, to the domain's template.
    pub(super) fn resource(&mut self, yaml: String) {
        self.blocks.push(Block::Resource(yaml));
    }
}

/// The name of domain `index`, its things and a sentence about it.
fn domain_identity(index: usize, rng: &mut Rng) -> (String, Vec<Entity>) {
    let (base, things) = DOMAINS[index % DOMAINS.len()];
    let round = index / DOMAINS.len();
    let name = match round {
        0 => base.to_owned(),
        round if round <= REGIONS.len() => format!("{base}_{}", REGIONS[round - 1]),
        round => format!("{base}_{round}"),
    };
    let mut pool: Vec<Entity> = things.iter().map(|text| Entity::parse(text)).collect();
    rng.shuffle(&mut pool);
    let mut generic: Vec<Entity> = GENERIC_ENTITIES.iter().map(|text| Entity::parse(text)).collect();
    rng.shuffle(&mut generic);
    pool.extend(generic);
    (name, pool)
}

/// Plans the whole project: the domains one after the other, each with listeners for what
/// earlier domains hand over, grown from motifs until its crates are used up.
pub(super) fn plan(options: &Options) -> Plan {
    let total = options.crates.max(3);
    // About a hundred crates per domain.
    let domain_count = (total.saturating_add(50) / 100).max(1);
    let mut plan = Plan::default();
    // The integration events each domain publishes on the default bus, for later domains.
    let mut integration: Vec<Vec<usize>> = Vec::new();
    for index in 0..domain_count {
        let size = total / domain_count + usize::from(index < total % domain_count);
        let mut rng = Rng::new(options.seed, &format!("domain:{index}"));
        let (name, entity_pool) = domain_identity(index, &mut rng);
        let pascal_name = pascal(&name);
        let mut domain = Domain {
            index,
            description: format!("The {} domain", words(&name)),
            dir: format!("services/{}", name.replace('_', "-")),
            pascal: pascal_name,
            name,
            functions: Vec::new(),
            blocks: Vec::new(),
            events: Vec::new(),
            bus: None,
            has_api: false,
            outputs: Vec::new(),
            entity_pool,
            entities_used: 0,
            dirs: BTreeSet::from(["events".to_owned()]),
            topics: Vec::new(),
            leaves: Vec::new(),
        };
        let mut budget = size - 1;
        // Listeners for what earlier domains hand over.
        if index > 0 {
            let mut upstream: Vec<usize> = integration[index - 1].clone();
            if index > 1 && !integration[index - 2].is_empty() && rng.percent(40) {
                upstream.push(*rng.pick(&integration[index - 2]));
            }
            for event in upstream {
                if budget == 0 {
                    break;
                }
                listener(&mut plan, &mut domain, &mut rng, event);
                budget -= 1;
            }
        }
        while budget > 0 {
            budget -= grow(&mut plan, &mut domain, &mut rng, budget);
        }
        let published = if index + 1 < domain_count {
            publish_integration(&mut plan, &mut domain, &mut rng)
        } else {
            Vec::new()
        };
        integration.push(published);
        plan.domains.push(domain);
    }
    plan
}

/// Adds one piece of flow to `domain`, spending at most `budget` functions; returns how many.
fn grow(plan: &mut Plan, domain: &mut Domain, rng: &mut Rng, budget: usize) -> usize {
    if domain.leaves.is_empty() {
        return if budget >= 4 {
            fan_out(plan, domain, rng, budget)
        } else if budget >= 2 {
            scheduled_job(plan, domain, rng)
        } else {
            // Only a one-function domain gets here: a job whose queue feeds itself would loop,
            // so it gets a job that writes to a table with a stream it consumes nothing from.
            lone_job(plan, domain, rng)
        };
    }
    let roll = rng.below(100);
    match roll {
        0..=21 if budget >= 4 => fan_out(plan, domain, rng, budget),
        22..=27 if budget >= 2 => scheduled_job(plan, domain, rng),
        28..=41 if !domain.topics.is_empty() => {
            let topic = rng.below(domain.topics.len());
            topic_consumer(plan, domain, rng, topic, false);
            1
        }
        42..=55 => bus_fan_out(plan, domain, rng, budget),
        56..=63 => table_chain(plan, domain, rng),
        64..=71 => kinesis_chain(plan, domain, rng),
        _ => queue_chain(plan, domain, rng),
    }
}

/// A logical ID no template uses yet.
pub(super) fn new_id(plan: &mut Plan, wanted: &str) -> String {
    let mut id = wanted.to_owned();
    let mut n = 2;
    while plan.ids.contains(&id) {
        id = format!("{wanted}{n}");
        n += 1;
    }
    plan.ids.insert(id.clone());
    id
}

/// A new event of `domain` about `entity`; `verbs` are tried in random order for a name no
/// other event has.
pub(super) fn new_event(
    plan: &mut Plan,
    domain: &mut Domain,
    rng: &mut Rng,
    entity: &Entity,
    verbs: &[&str],
    typed: bool,
) -> usize {
    let mut order: Vec<&str> = verbs.to_vec();
    rng.shuffle(&mut order);
    let base = entity.pascal();
    let candidates = order
        .iter()
        .map(|verb| (format!("{base}{verb}"), *verb))
        .chain(order.iter().map(|verb| (format!("{}{base}{verb}", domain.pascal), *verb)));
    let mut chosen = None;
    for (name, verb) in candidates {
        let dotted = format!("{}.{}.{}", domain.name, entity.snake, snake(verb));
        if !plan.event_names.contains(&name) && !plan.event_names.contains(&dotted) {
            chosen = Some((name, dotted, verb));
            break;
        }
    }
    let (rust_name, dotted, verb) = chosen.unwrap_or_else(|| {
        let mut n = 2;
        loop {
            let name = format!("{base}{}{n}", order[0]);
            if !plan.event_names.contains(&name) {
                let dotted = format!("{}.{}.{}{n}", domain.name, entity.snake, snake(order[0]));
                break (name, dotted, order[0]);
            }
            n += 1;
        }
    });
    let lower = entity.words();
    let doc = event_doc(rng, &lower, verb);
    let index = plan.events.len();
    let spec = if typed {
        let roll = rng.below(100);
        let (name, attribute) = match roll {
            0..=4 => (dotted.clone(), format!("#[event(name = \"{dotted}\", version = 2)]")),
            5..=12 => (rust_name.clone(), "#[event(version = 2)]".to_owned()),
            13..=17 => (rust_name.clone(), "#[flowdoc_annotations::event]".to_owned()),
            _ => (rust_name.clone(), "#[event]".to_owned()),
        };
        plan.event_names.insert(rust_name.clone());
        plan.event_names.insert(name.clone());
        let shape = if rng.percent(12) { enum_shape(rng, entity, verb) } else { struct_shape(rng, entity) };
        domain.events.push(index);
        EventSpec {
            name,
            rust: Some(rust_name),
            attribute,
            domain: domain.index,
            entity: entity.clone(),
            doc,
            shape,
        }
    } else {
        plan.event_names.insert(dotted.clone());
        plan.event_names.insert(rust_name);
        EventSpec {
            name: dotted,
            rust: None,
            attribute: String::new(),
            domain: domain.index,
            entity: entity.clone(),
            doc,
            shape: Shape::Untyped,
        }
    };
    plan.events.push(spec);
    index
}

/// The doc of an event: `thing` was `verb`, in one of a few phrasings.
fn event_doc(rng: &mut Rng, thing: &str, verb: &str) -> String {
    let past = verb.to_ascii_lowercase();
    let a = article(thing);
    let templates = [
        "A @thing@ was @past@. Emitted once per change, after it is stored.",
        "Tells consumers that @a@ @thing@ was @past@; they must not assume any order with other events of the same @thing@.",
        "@A@ @thing@ was @past@. Carries what consumers need so they do not call back.",
        "Emitted when @a@ @thing@ is @past@. At least once: consumers deduplicate on the id and the revision.",
        "@A@ @thing@ has been @past@.",
    ];
    let capital_a = if a == "an" { "An" } else { "A" };
    let template = *rng.pick(&templates);
    fill(template, &[("thing", thing), ("past", &past), ("a", a), ("A", capital_a)])
}

/// The field holding the id of `entity`.
fn id_field(entity: &Entity) -> Field {
    Field {
        name: format!("{}_id", entity.snake),
        ty: Ty::Str,
        doc: format!("The id of the {}.", entity.words()),
    }
}

/// The `correlation_id` field, with one of a few docs.
fn correlation_field(rng: &mut Rng) -> Field {
    let docs = [
        "Joins every log line and event of one request chain.",
        "The id of the request that started the chain; every later event carries it on.",
        "Copied from the triggering request or event, so one chain can be followed end to end.",
    ];
    Field { name: "correlation_id".to_owned(), ty: Ty::Str, doc: (*rng.pick(&docs)).to_owned() }
}

/// From `low` to `high` fields of [`EVENT_FIELDS`], about `entity`.
fn extra_fields(rng: &mut Rng, entity: &Entity, low: usize, high: usize) -> Vec<Field> {
    let count = rng.range(low, high);
    let thing = entity.words();
    rng.sample(EVENT_FIELDS, count)
        .into_iter()
        .map(|(name, ty, doc)| Field { name: name.to_owned(), ty, doc: fill(doc, &[("thing", &thing)]) })
        .collect()
}

/// A struct event: the correlation id, the thing's id and a few more fields.
fn struct_shape(rng: &mut Rng, entity: &Entity) -> Shape {
    let mut fields = vec![id_field(entity)];
    let correlation = correlation_field(rng);
    if rng.percent(80) {
        fields.insert(0, correlation);
    } else {
        fields.push(correlation);
    }
    fields.extend(extra_fields(rng, entity, 2, 7));
    Shape::Struct(fields)
}

/// An enum event: two or three outcomes of `verb`, each with its fields.
fn enum_shape(rng: &mut Rng, entity: &Entity, verb: &str) -> Shape {
    let outcomes: &[(&str, &str)] = &[
        ("Accepted", "It went through."),
        ("Rejected", "It was refused; `reason` says why."),
        ("Deferred", "It will be retried later."),
        ("Partial", "Only part of it went through."),
    ];
    let count = rng.range(2, 3);
    let variants = rng
        .sample(outcomes, count)
        .into_iter()
        .map(|(variant, doc)| {
            let mut fields = vec![correlation_field(rng), id_field(entity)];
            fields.extend(extra_fields(rng, entity, 0, 3));
            if variant == "Rejected" && !fields.iter().any(|field| field.name == "reason") {
                fields.push(Field {
                    name: "reason".to_owned(),
                    ty: Ty::OptStr,
                    doc: "Why it was refused.".into(),
                });
            }
            (variant.to_owned(), format!("{} {doc}", pascal(verb)), fields)
        })
        .collect();
    Shape::Enum(variants)
}

/// A new function (and its crate) in `domain`; returns its index.
pub(super) fn new_function(
    plan: &mut Plan,
    domain: &mut Domain,
    rng: &mut Rng,
    entity: &Entity,
    role: &str,
    trigger: Trigger,
) -> usize {
    let wanted = format!("{}-{role}", entity.snake.replace('_', "-"));
    let mut dir = wanted.clone();
    let mut n = 2;
    while domain.dirs.contains(&dir) {
        dir = format!("{wanted}-{n}");
        n += 1;
    }
    domain.dirs.insert(dir.clone());
    let id = new_id(plan, &format!("{}{}Function", domain.pascal, pascal(&dir)));
    let timeout = match rng.below(10) {
        0..=5 => 10,
        6 | 7 => 15,
        8 => 20,
        _ => 30,
    };
    let memory = *rng.pick(&[256, 256, 256, 512, 512, 1024]);
    domain.functions.push(Function {
        id,
        package: format!("{}-{dir}", domain.kebab()),
        dir,
        entity: entity.clone(),
        role: role.to_owned(),
        description: String::new(),
        trigger,
        consumes: Vec::new(),
        produces: Vec::new(),
        env: Vec::new(),
        policies: Vec::new(),
        timeout,
        memory,
        extra: Vec::new(),
        events: Vec::new(),
    });
    let index = domain.functions.len() - 1;
    domain.blocks.push(Block::Function(index));
    index
}

/// A role for a new consumer of `entity` whose folder is free.
pub(super) fn free_role(domain: &Domain, rng: &mut Rng, entity: &Entity, roles: &[&str]) -> String {
    for _ in 0..12 {
        let role = rng.pick(roles);
        let dir = format!("{}-{role}", entity.snake.replace('_', "-"));
        if !domain.dirs.contains(&dir) {
            return (*role).to_owned();
        }
    }
    (*rng.pick(roles)).to_owned()
}

/// `function` writes `event` to the resource `target` through the variable `var`.
pub(super) fn produce(
    domain: &mut Domain,
    function: usize,
    event: usize,
    target: &str,
    var: &str,
    kind: &'static str,
    by_env: bool,
) {
    let dest = if by_env { Dest::Env } else { Dest::Logical(target.to_owned()) };
    domain.functions[function].produces.push(Produce { event, dest, var: var.to_owned(), kind });
}

/// `function` receives `events` from the resource `from`.
pub(super) fn consume(domain: &mut Domain, function: usize, events: &[usize], from: &str) {
    for &event in events {
        domain.functions[function].consumes.push(Consume { event, from: from.to_owned() });
    }
}
