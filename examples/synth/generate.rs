//! The synthetic monorepo behind `cargo run --example synth`: a pure function from [`Options`] to
//! files (relative `/`-separated paths and contents, sorted by path). Nothing here touches the
//! file system, the clock or hash-map order, so benchmarks can build the same project in memory
//! (`#[path = "../examples/synth/generate.rs"] mod generate;`) and the same options always give
//! byte-identical files.
//!
//! The project: `crates` crates in domains of about a hundred (`services/<domain>/`), each domain
//! with one `events` crate of `#[event]` types and Lambda crates of five to nine `.rs` files, one
//! of which carries the handler annotations. The SAM template of a domain (or one template for
//! everything) wires them: APIs writing to DynamoDB tables whose streams are published to SNS
//! topics that fan out to queues, queue chains, EventBridge buses and rules, Kinesis streams and
//! schedules, every trigger with its dead-letter queue or failure destination. Domains hand
//! events to later domains over the account's default event bus, so the flow is one connected,
//! loop-free graph.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Options {
    /// How many crates, the domains' events crates included; fewer than 3 count as 3.
    pub(crate) crates: usize,
    /// Seeds every choice; the same seed gives the same files.
    pub(crate) seed: u64,
    /// One `template.yaml` at the root instead of one per domain.
    pub(crate) single_template: bool,
}

/// The files of the project `options` describe: relative paths and contents, sorted by path.
pub(crate) fn generate(options: &Options) -> Vec<(String, Vec<u8>)> {
    let plan = plan(options);
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    write_workspace(&plan, options, &mut files);
    write_templates(&plan, options, &mut files);
    for domain in &plan.domains {
        write_events_crate(&plan, domain, options.seed, &mut files);
        for function in &domain.functions {
            write_service_crate(&plan, domain, function, options.seed, &mut files);
        }
    }
    files.into_iter().map(|(path, text)| (path, text.into_bytes())).collect()
}

// --- Randomness ----------------------------------------------------------------------------------

/// splitmix64: small, fast, and the same on every platform.
#[derive(Clone, Debug)]
struct Rng {
    state: u64,
}

impl Rng {
    /// A generator for one purpose: the seed mixed with an FNV-1a hash of `label`, so adding a
    /// crate does not change the choices made for the others.
    fn new(seed: u64, label: &str) -> Rng {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in label.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        let mut rng = Rng { state: seed ^ hash.rotate_left(17) };
        rng.next_u64();
        rng
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        usize::try_from(self.next_u64() % n as u64).unwrap_or(0)
    }

    /// A number in `low..=high`.
    fn range(&mut self, low: usize, high: usize) -> usize {
        if high <= low {
            return low;
        }
        low + self.below(high - low + 1)
    }

    /// True `percent` times in a hundred.
    fn percent(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }

    /// `count` distinct items of `items`, in their original order.
    fn sample<T: Clone>(&mut self, items: &[T], count: usize) -> Vec<T> {
        let mut indices: Vec<usize> = (0..items.len()).collect();
        self.shuffle(&mut indices);
        indices.truncate(count.min(items.len()));
        indices.sort_unstable();
        indices.into_iter().map(|index| items[index].clone()).collect()
    }
}

// --- Text helpers --------------------------------------------------------------------------------

/// `template` with every `@key@` replaced by its value in `vars`. An `@` that does not start a
/// known key is kept, so values and literal text may hold `@`.
fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some(start) = rest.find('@') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let value = after.find('@').and_then(|end| {
            let key = &after[..end];
            let is_key = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !is_key {
                return None;
            }
            vars.iter().find(|(name, _)| *name == key).map(|(_, value)| (*value, end))
        });
        match value {
            Some((value, end)) => {
                out.push_str(value);
                rest = &after[end + 1..];
            }
            None => {
                out.push('@');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `gift_card` or `gift-card` to `GiftCard`.
fn pascal(snake: &str) -> String {
    snake
        .split(['_', '-', '.'])
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map_or_else(String::new, |first| first.to_ascii_uppercase().to_string() + chars.as_str())
        })
        .collect()
}

/// `GiftCardIssued` to `gift_card_issued`.
fn snake(pascal: &str) -> String {
    let mut out = String::with_capacity(pascal.len() + 4);
    for (index, c) in pascal.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if index > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c == '-' || c == '.' {
            out.push('_');
        } else {
            out.push(c);
        }
    }
    out
}

fn kebab(snake_or_pascal: &str) -> String {
    snake(snake_or_pascal).replace('_', "-")
}

fn upper(snake_or_kebab: &str) -> String {
    snake_or_kebab.replace('-', "_").to_ascii_uppercase()
}

/// `gift_card` to `gift card`.
fn words(snake: &str) -> String {
    snake.replace(['_', '-'], " ")
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
}

/// Indents every non-empty line of `text` by `by` spaces.
fn indent(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    let mut out = String::with_capacity(text.len() + text.lines().count() * by);
    for line in text.lines() {
        if !line.is_empty() {
            out.push_str(&pad);
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn line_count(text: &str) -> usize {
    text.bytes().filter(|b| *b == b'\n').count()
}

// --- Vocabulary ----------------------------------------------------------------------------------

/// Domains and the things they deal with (`singular/plural`, snake case).
const DOMAINS: &[(&str, &[&str])] = &[
    (
        "orders",
        &[
            "order/orders",
            "cart/carts",
            "checkout/checkouts",
            "refund/refunds",
            "quote/quotes",
            "reservation/reservations",
            "wishlist/wishlists",
            "order_note/order_notes",
        ],
    ),
    (
        "payments",
        &[
            "payment/payments",
            "charge/charges",
            "payout/payouts",
            "mandate/mandates",
            "wallet/wallets",
            "dispute/disputes",
            "settlement/settlements",
            "card_token/card_tokens",
        ],
    ),
    (
        "inventory",
        &[
            "stock_item/stock_items",
            "sku/skus",
            "stock_count/stock_counts",
            "transfer/transfers",
            "allocation/allocations",
            "batch_lot/batch_lots",
            "replenishment/replenishments",
            "bin/bins",
        ],
    ),
    (
        "shipping",
        &[
            "shipment/shipments",
            "parcel/parcels",
            "label/labels",
            "carrier_booking/carrier_bookings",
            "route/routes",
            "pickup/pickups",
            "manifest/manifests",
            "delivery/deliveries",
        ],
    ),
    (
        "billing",
        &[
            "invoice/invoices",
            "credit_note/credit_notes",
            "billing_account/billing_accounts",
            "usage_record/usage_records",
            "tax_rate/tax_rates",
            "statement/statements",
            "dunning_case/dunning_cases",
        ],
    ),
    (
        "customers",
        &[
            "customer/customers",
            "address/addresses",
            "consent/consents",
            "household/households",
            "preference/preferences",
            "segment/segments",
            "contact/contacts",
        ],
    ),
    (
        "catalog",
        &[
            "product/products",
            "variant/variants",
            "category/categories",
            "bundle/bundles",
            "attribute/attributes",
            "media_asset/media_assets",
            "brand/brands",
        ],
    ),
    (
        "pricing",
        &[
            "price_list/price_lists",
            "price_rule/price_rules",
            "discount/discounts",
            "tariff/tariffs",
            "currency_rate/currency_rates",
            "markup/markups",
        ],
    ),
    (
        "reviews",
        &[
            "review/reviews",
            "rating/ratings",
            "moderation_case/moderation_cases",
            "question/questions",
            "answer/answers",
            "abuse_report/abuse_reports",
        ],
    ),
    (
        "loyalty",
        &[
            "member/members",
            "points_entry/points_entries",
            "tier/tiers",
            "reward/rewards",
            "redemption/redemptions",
            "voucher/vouchers",
        ],
    ),
    (
        "notifications",
        &[
            "notification/notifications",
            "message_template/message_templates",
            "delivery_attempt/delivery_attempts",
            "channel/channels",
            "digest/digests",
            "suppression/suppressions",
        ],
    ),
    (
        "returns",
        &[
            "return_request/return_requests",
            "inspection/inspections",
            "restock/restocks",
            "exchange/exchanges",
            "return_label/return_labels",
            "rma/rmas",
        ],
    ),
    (
        "fulfilment",
        &[
            "pick_list/pick_lists",
            "pack_job/pack_jobs",
            "wave/waves",
            "tote/totes",
            "dispatch/dispatches",
            "slot/slots",
        ],
    ),
    (
        "procurement",
        &[
            "purchase_order/purchase_orders",
            "supplier/suppliers",
            "requisition/requisitions",
            "goods_receipt/goods_receipts",
            "contract/contracts",
            "bid/bids",
        ],
    ),
    (
        "warehouse",
        &[
            "dock/docks",
            "pallet/pallets",
            "putaway/putaways",
            "cycle_count/cycle_counts",
            "zone/zones",
            "forklift_task/forklift_tasks",
        ],
    ),
    (
        "accounts",
        &[
            "account/accounts",
            "ledger_entry/ledger_entries",
            "journal/journals",
            "balance/balances",
            "period_close/period_closes",
            "accrual/accruals",
        ],
    ),
    (
        "subscriptions",
        &[
            "subscription/subscriptions",
            "plan/plans",
            "renewal/renewals",
            "trial/trials",
            "entitlement/entitlements",
            "pause/pauses",
        ],
    ),
    (
        "marketing",
        &[
            "campaign/campaigns",
            "audience/audiences",
            "coupon/coupons",
            "send_out/send_outs",
            "landing_page/landing_pages",
            "lead/leads",
        ],
    ),
    (
        "support",
        &[
            "ticket/tickets",
            "conversation/conversations",
            "escalation/escalations",
            "canned_reply/canned_replies",
            "sla_timer/sla_timers",
            "feedback_item/feedback_items",
        ],
    ),
    (
        "analytics",
        &[
            "metric/metrics",
            "dashboard/dashboards",
            "funnel/funnels",
            "cohort/cohorts",
            "export_job/export_jobs",
            "experiment/experiments",
        ],
    ),
    (
        "identity",
        &[
            "user/users",
            "session/sessions",
            "credential/credentials",
            "role_grant/role_grants",
            "device/devices",
            "invitation/invitations",
        ],
    ),
    (
        "search",
        &[
            "index_doc/index_docs",
            "synonym/synonyms",
            "query_log/query_logs",
            "facet/facets",
            "ranking/rankings",
            "crawl/crawls",
        ],
    ),
    (
        "recommendations",
        &[
            "recommendation/recommendations",
            "signal/signals",
            "model_run/model_runs",
            "feature_set/feature_sets",
            "placement/placements",
        ],
    ),
    (
        "promotions",
        &[
            "promotion/promotions",
            "deal/deals",
            "flash_sale/flash_sales",
            "bundle_offer/bundle_offers",
            "gift_card/gift_cards",
        ],
    ),
    (
        "logistics",
        &[
            "freight/freights",
            "container/containers",
            "customs_entry/customs_entries",
            "lane/lanes",
            "hub/hubs",
        ],
    ),
    (
        "compliance",
        &[
            "audit/audits",
            "policy_check/policy_checks",
            "retention_hold/retention_holds",
            "kyc_case/kyc_cases",
            "sanction_hit/sanction_hits",
        ],
    ),
    (
        "partners",
        &[
            "partner/partners",
            "integration/integrations",
            "webhook/webhooks",
            "api_key/api_keys",
            "payout_split/payout_splits",
        ],
    ),
];

/// Things any domain may deal with, when its own list runs out.
const GENERIC_ENTITIES: &[&str] = &[
    "job/jobs",
    "batch/batches",
    "task/tasks",
    "request/requests",
    "record/records",
    "document/documents",
    "approval/approvals",
    "schedule/schedules",
    "snapshot/snapshots",
    "report/reports",
    "alert/alerts",
    "case/cases",
    "note/notes",
    "attachment/attachments",
    "import_run/import_runs",
    "sync_run/sync_runs",
];

/// Suffixes of domains beyond the list: the same business in another region.
const REGIONS: &[&str] = &["eu", "us", "apac", "latam", "uk", "nordics", "dach", "anz"];

/// Events of a thing's life, with the verb of the request that causes each and its HTTP method.
const LIFECYCLES: &[&[(&str, &str, &str)]] = &[
    &[("Created", "create", "post"), ("Updated", "update", "put"), ("Cancelled", "cancel", "delete")],
    &[("Submitted", "submit", "post"), ("Approved", "approve", "put"), ("Rejected", "reject", "delete")],
    &[("Opened", "open", "post"), ("Changed", "change", "put"), ("Closed", "close", "delete")],
    &[("Registered", "register", "post"), ("Amended", "amend", "patch"), ("Withdrawn", "withdraw", "delete")],
    &[("Placed", "place", "post"), ("Revised", "revise", "put"), ("Voided", "void", "delete")],
    &[("Requested", "request", "post"), ("Confirmed", "confirm", "put"), ("Declined", "decline", "delete")],
    &[("Started", "start", "post"), ("Adjusted", "adjust", "patch"), ("Stopped", "stop", "delete")],
    &[("Issued", "issue", "post"), ("Corrected", "correct", "put"), ("Revoked", "revoke", "delete")],
];

/// What a processing step did to a thing.
const PROCESS_VERBS: &[&str] = &[
    "Validated",
    "Enriched",
    "Scored",
    "Reserved",
    "Allocated",
    "Packed",
    "Priced",
    "Indexed",
    "Archived",
    "Reconciled",
    "Flagged",
    "Notified",
    "Exported",
    "Audited",
    "Synced",
    "Verified",
    "Matched",
    "Scheduled",
    "Assigned",
    "Escalated",
    "Released",
    "Dispatched",
    "Billed",
    "Rated",
    "Tagged",
    "Summarized",
    "Screened",
    "Routed",
    "Batched",
    "Consolidated",
    "Forecast",
    "Measured",
    "Ranked",
    "Labelled",
    "Cleared",
    "Queued",
    "Snapshotted",
    "Mirrored",
    "Expired",
    "Recalculated",
    "Deduplicated",
    "Classified",
    "Translated",
    "Approved",
];

/// Milestones a domain tells the others about.
const MILESTONE_VERBS: &[&str] = &[
    "Completed",
    "Finalized",
    "Settled",
    "Delivered",
    "Published",
    "Fulfilled",
    "Accepted",
    "Activated",
    "Terminated",
    "Concluded",
    "Posted",
    "Handed",
];

/// What a consuming function is, by the work it does.
const ROLES: &[&str] = &[
    "auditor",
    "indexer",
    "projector",
    "notifier",
    "scorer",
    "ledger",
    "reconciler",
    "archiver",
    "exporter",
    "enricher",
    "validator",
    "dispatcher",
    "reporter",
    "syncer",
    "router",
    "aggregator",
    "tagger",
    "watcher",
    "planner",
    "tracker",
    "allocator",
    "mailer",
    "webhooks",
    "cache-warmer",
    "search-feed",
    "fraud-screen",
    "analytics",
    "forecaster",
    "replicator",
    "summarizer",
    "pricer",
    "labeller",
    "ranker",
    "escalator",
    "monitor",
    "broker",
    "collector",
    "classifier",
    "translator",
    "deduplicator",
];

/// What a scheduled function is.
const JOB_ROLES: &[&str] =
    &["sweeper", "scheduler", "nightly-report", "expiry-job", "rebalancer", "compactor"];

/// What a scheduled job asks for.
const JOB_VERBS: &[&str] =
    &["SweepRequested", "ExpiryDue", "ReportRequested", "RebalanceDue", "CompactionDue"];

/// Event fields beyond the correlation id and the thing's id: name, type and doc (`@thing@` is
/// the thing).
const EVENT_FIELDS: &[(&str, Ty, &str)] = &[
    ("customer_id", Ty::Str, "The customer the @thing@ belongs to."),
    ("amount", Ty::Money, "What the @thing@ comes to."),
    ("total", Ty::Money, "The total after discounts and taxes."),
    ("lines", Ty::Lines, "What the @thing@ is made of, line by line."),
    ("quantity", Ty::U32, "How many units are involved."),
    ("reason", Ty::OptStr, "Why, in the words of whoever did it; absent when no reason was given."),
    ("occurred_at", Ty::Str, "When it happened, as an RFC 3339 timestamp in UTC."),
    ("actor", Ty::Str, "Who did it: a user id, or `system` for automated changes."),
    ("tags", Ty::VecStr, "Free-form labels copied from the @thing@."),
    ("region", Ty::Str, "The AWS region that handled the request."),
    ("revision", Ty::U64, "The revision of the @thing@ after the change; grows by one with each change."),
    ("priority", Ty::U32, "0 is the highest priority."),
    ("shipping_address", Ty::Address, "Where goods go."),
    ("channel", Ty::Str, "The sales channel, as in `web`, `app` or `store`."),
    ("attempt", Ty::U32, "Which attempt this is, from 1."),
    ("expires_at", Ty::OptStr, "When the @thing@ stops being valid, if ever."),
    ("score", Ty::U32, "A score from 0 to 100; higher is better."),
    ("external_ref", Ty::OptStr, "The id a partner system knows the @thing@ by."),
    ("is_test", Ty::Bool, "Set for synthetic traffic; consumers skip side effects."),
    ("balance_delta", Ty::I64, "The change to the balance in cents; negative for debits."),
    ("retry_after_secs", Ty::OptU64, "When to try again, if the failure is temporary."),
    ("warehouse_id", Ty::Str, "The warehouse that holds the goods."),
    ("locale", Ty::Str, "The customer's language and region, as in `de-DE`."),
    ("notes", Ty::VecStr, "Notes staff added, oldest first."),
    ("previous_status", Ty::OptStr, "The status before the change, if there was one."),
    ("status", Ty::Str, "The status after the change."),
    ("source_system", Ty::Str, "The system the change came from."),
    ("item_count", Ty::U32, "How many items the @thing@ holds."),
];

/// The types an event field can have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    Str,
    U32,
    U64,
    I64,
    Bool,
    OptStr,
    OptU64,
    VecStr,
    Money,
    Lines,
    Address,
}

impl Ty {
    fn rust(self) -> &'static str {
        match self {
            Ty::Str => "String",
            Ty::U32 => "u32",
            Ty::U64 => "u64",
            Ty::I64 => "i64",
            Ty::Bool => "bool",
            Ty::OptStr => "Option<String>",
            Ty::OptU64 => "Option<u64>",
            Ty::VecStr => "Vec<String>",
            Ty::Money => "Money",
            Ty::Lines => "Vec<LineItem>",
            Ty::Address => "Address",
        }
    }

    /// The `common` type it needs imported, if any.
    fn common(self) -> Option<&'static str> {
        match self {
            Ty::Money => Some("Money"),
            Ty::Lines => Some("LineItem"),
            Ty::Address => Some("Address"),
            _ => None,
        }
    }
}

// --- The plan ------------------------------------------------------------------------------------

/// Everything generated, before it is written out.
#[derive(Debug, Default)]
struct Plan {
    domains: Vec<Domain>,
    events: Vec<EventSpec>,
    /// Event names and Rust type names in use.
    event_names: BTreeSet<String>,
    /// Logical IDs in use, across all templates.
    ids: BTreeSet<String>,
}

/// A thing a domain deals with.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Entity {
    snake: String,
    plural: String,
}

impl Entity {
    fn parse(text: &str) -> Entity {
        let (snake, plural) = text.split_once('/').unwrap_or((text, text));
        Entity { snake: snake.to_owned(), plural: plural.to_owned() }
    }

    fn pascal(&self) -> String {
        pascal(&self.snake)
    }

    fn words(&self) -> String {
        words(&self.snake)
    }
}

#[derive(Clone, Debug)]
struct Field {
    name: String,
    ty: Ty,
    doc: String,
}

#[derive(Clone, Debug)]
enum Shape {
    Struct(Vec<Field>),
    /// Struct variants: name, doc and fields.
    Enum(Vec<(String, String, Vec<Field>)>),
    /// An event named by a string, with no Rust type.
    Untyped,
}

/// One event type.
#[derive(Clone, Debug)]
struct EventSpec {
    /// The name events travel under: the type name, or `#[event(name = ...)]`.
    name: String,
    /// The Rust type, if it has one.
    rust: Option<String>,
    /// The `#[event]` attribute as written.
    attribute: String,
    domain: usize,
    entity: Entity,
    doc: String,
    shape: Shape,
}

/// Where an annotation says an event goes.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Dest {
    /// `to = "LogicalId"`.
    Logical(String),
    /// `to = env("VAR")`.
    Env,
}

#[derive(Clone, Debug)]
struct Produce {
    event: usize,
    dest: Dest,
    /// The environment variable that holds the destination (also for `Dest::Logical`).
    var: String,
    /// What the destination is, for docs: `queue`, `topic`, `table`, `bus`, `stream`.
    kind: &'static str,
}

#[derive(Clone, Debug)]
struct Consume {
    event: usize,
    from: String,
}

/// An API route of a function.
#[derive(Clone, Debug)]
struct Route {
    method: &'static str,
    path: String,
    /// The request's verb, as in `create`.
    verb: &'static str,
    event: usize,
}

/// How a function is invoked, which decides how its handler reads its input.
#[derive(Clone, Debug)]
enum Trigger {
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
enum Style {
    /// All on the entry point.
    Stacked,
    /// On one function per event or route.
    PerItem,
    /// On the methods of an `impl` block.
    Methods,
}

/// A Lambda function and the crate that holds its code.
#[derive(Clone, Debug)]
struct Function {
    id: String,
    /// The crate folder, relative to the domain folder.
    dir: String,
    package: String,
    entity: Entity,
    role: String,
    description: String,
    trigger: Trigger,
    consumes: Vec<Consume>,
    produces: Vec<Produce>,
    env: Vec<(String, String)>,
    policies: Vec<String>,
    timeout: u32,
    memory: u32,
    /// Extra properties (dead-letter queue, invoke config), indented for `Properties`.
    extra: Vec<String>,
    /// Entries of `Events`, indented for `Events`.
    events: Vec<String>,
}

impl Function {
    fn add_env(&mut self, var: &str, value: &str) {
        if !self.env.iter().any(|(name, _)| name == var) {
            self.env.push((var.to_owned(), value.to_owned()));
        }
    }

    fn add_policy(&mut self, policy: String) {
        if !self.policies.contains(&policy) {
            self.policies.push(policy);
        }
    }

    /// A variable name for a new destination that no other destination of the function uses.
    fn free_var(&self, wanted: &str) -> String {
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
enum Block {
    Comment(String),
    Resource(String),
    Function(usize),
}

/// A topic that fans out the events of a table.
#[derive(Clone, Debug)]
struct Topic {
    id: String,
    dead_letter: String,
    events: Vec<usize>,
    entity: Entity,
}

#[derive(Debug)]
struct Domain {
    index: usize,
    /// `orders`, `orders_eu`.
    name: String,
    pascal: String,
    /// `services/orders`.
    dir: String,
    description: String,
    functions: Vec<Function>,
    blocks: Vec<Block>,
    /// Typed events of the domain's events crate.
    events: Vec<usize>,
    bus: Option<String>,
    has_api: bool,
    /// Outputs: name, description, value, exported.
    outputs: Vec<(String, String, String, bool)>,
    // Planning state.
    entity_pool: Vec<Entity>,
    entities_used: usize,
    dirs: BTreeSet<String>,
    topics: Vec<Topic>,
    leaves: Vec<usize>,
}

impl Domain {
    fn kebab(&self) -> String {
        self.name.replace('_', "-")
    }

    fn events_crate(&self) -> String {
        format!("{}-events", self.kebab())
    }

    fn events_ident(&self) -> String {
        format!("{}_events", self.name)
    }

    /// A thing not used yet by a motif, or any thing once all are.
    fn next_entity(&mut self, rng: &mut Rng) -> Entity {
        if self.entities_used < self.entity_pool.len() {
            self.entities_used += 1;
            return self.entity_pool[self.entities_used - 1].clone();
        }
        rng.pick(&self.entity_pool).clone()
    }

    fn used_entity(&mut self, rng: &mut Rng) -> Entity {
        if self.entities_used == 0 {
            return self.next_entity(rng);
        }
        self.entity_pool[rng.below(self.entities_used)].clone()
    }

    fn comment(&mut self, text: String) {
        self.blocks.push(Block::Comment(text));
    }

    fn resource(&mut self, yaml: String) {
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

fn plan(options: &Options) -> Plan {
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
fn new_id(plan: &mut Plan, wanted: &str) -> String {
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
fn new_event(
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

fn id_field(entity: &Entity) -> Field {
    Field {
        name: format!("{}_id", entity.snake),
        ty: Ty::Str,
        doc: format!("The id of the {}.", entity.words()),
    }
}

fn correlation_field(rng: &mut Rng) -> Field {
    let docs = [
        "Joins every log line and event of one request chain.",
        "The id of the request that started the chain; every later event carries it on.",
        "Copied from the triggering request or event, so one chain can be followed end to end.",
    ];
    Field { name: "correlation_id".to_owned(), ty: Ty::Str, doc: (*rng.pick(&docs)).to_owned() }
}

fn extra_fields(rng: &mut Rng, entity: &Entity, low: usize, high: usize) -> Vec<Field> {
    let count = rng.range(low, high);
    let thing = entity.words();
    rng.sample(EVENT_FIELDS, count)
        .into_iter()
        .map(|(name, ty, doc)| Field { name: name.to_owned(), ty, doc: fill(doc, &[("thing", &thing)]) })
        .collect()
}

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
fn new_function(
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
fn free_role(domain: &Domain, rng: &mut Rng, entity: &Entity, roles: &[&str]) -> String {
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
fn produce(
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

fn consume(domain: &mut Domain, function: usize, events: &[usize], from: &str) {
    for &event in events {
        domain.functions[function].consumes.push(Consume { event, from: from.to_owned() });
    }
}

// --- Resources -----------------------------------------------------------------------------------

fn dead_letter_queue_yaml(id: &str) -> String {
    fill(
        "  @id@:
    Type: AWS::SQS::Queue
    Properties:
      SqsManagedSseEnabled: true
      MessageRetentionPeriod: 1209600
",
        &[("id", id)],
    )
}

/// A queue with its dead-letter queue; returns both ids.
fn add_queue(
    plan: &mut Plan,
    domain: &mut Domain,
    rng: &mut Rng,
    base: &str,
    visibility: u32,
) -> (String, String) {
    let queue = new_id(plan, &format!("{base}Queue"));
    let dead_letter = new_id(plan, &format!("{base}DeadLetterQueue"));
    let max_receive = rng.range(3, 6).to_string();
    let visibility = visibility.to_string();
    let redrive = if rng.percent(15) {
        fill(
            "      RedrivePolicy: !Sub '{\"deadLetterTargetArn\": \"${@dlq@.Arn}\", \"maxReceiveCount\": @max@}'
",
            &[("dlq", &dead_letter), ("max", &max_receive)],
        )
    } else {
        fill(
            "      RedrivePolicy:
        deadLetterTargetArn: !GetAtt @dlq@.Arn
        maxReceiveCount: @max@
",
            &[("dlq", &dead_letter), ("max", &max_receive)],
        )
    };
    domain.resource(fill(
        "  @id@:
    Type: AWS::SQS::Queue
    Properties:
      SqsManagedSseEnabled: true
      VisibilityTimeout: @vt@
@redrive@",
        &[("id", &queue), ("vt", &visibility), ("redrive", &redrive)],
    ));
    domain.resource(dead_letter_queue_yaml(&dead_letter));
    (queue, dead_letter)
}

/// A queue policy that lets `principal` send to `queue` from `source_arn` (a YAML value).
fn add_queue_policy(plan: &mut Plan, domain: &mut Domain, queue: &str, principal: &str, source_arn: &str) {
    let id = new_id(plan, &format!("{queue}Policy"));
    domain.resource(fill(
        "  @id@:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues:
        - !Ref @queue@
      PolicyDocument:
        Version: \"2012-10-17\"
        Statement:
          - Effect: Allow
            Principal:
              Service: @principal@
            Action: sqs:SendMessage
            Resource: !GetAtt @queue@.Arn
            Condition:
              ArnEquals:
                aws:SourceArn: @source@
",
        &[("id", &id), ("queue", queue), ("principal", principal), ("source", source_arn)],
    ));
}

/// A table with a stream and the queue its stream consumers send failed batches to.
fn add_table(plan: &mut Plan, domain: &mut Domain, rng: &mut Rng, base: &str, key: &str) -> (String, String) {
    let table = new_id(plan, &format!("{base}Table"));
    let failure = new_id(plan, &format!("{base}StreamFailureQueue"));
    let view = if rng.percent(70) { "NEW_AND_OLD_IMAGES" } else { "NEW_IMAGE" };
    let ttl = if rng.percent(30) {
        "      TimeToLiveSpecification:\n        AttributeName: expires_at\n        Enabled: true\n"
    } else {
        ""
    };
    domain.resource(fill(
        "  @id@:
    Type: AWS::DynamoDB::Table
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: @key@
          AttributeType: S
      KeySchema:
        - AttributeName: @key@
          KeyType: HASH
      StreamSpecification:
        StreamViewType: @view@
      SSESpecification:
        SSEEnabled: true
      PointInTimeRecoverySpecification:
        PointInTimeRecoveryEnabled: true
@ttl@",
        &[("id", &table), ("key", key), ("view", view), ("ttl", ttl)],
    ));
    domain.resource(
        fill("  # Receives the metadata of stream batches that still failed after the retries.\n", &[])
            + &dead_letter_queue_yaml(&failure),
    );
    (table, failure)
}

/// A topic and the dead-letter queue of its subscriptions (with the policy that lets the topic
/// write to it).
fn add_topic(plan: &mut Plan, domain: &mut Domain, base: &str) -> (String, String) {
    let topic = new_id(plan, &format!("{base}EventsTopic"));
    let dead_letter = new_id(plan, &format!("{base}SubscriptionDeadLetterQueue"));
    domain.resource(fill(
        "  @id@:\n    Type: AWS::SNS::Topic\n    Properties:\n      KmsMasterKeyId: alias/aws/sns\n",
        &[("id", &topic)],
    ));
    domain.resource(dead_letter_queue_yaml(&dead_letter));
    add_queue_policy(plan, domain, &dead_letter, "sns.amazonaws.com", &format!("!Ref {topic}"));
    (topic, dead_letter)
}

/// The domain's own event bus, created on first use.
fn domain_bus(plan: &mut Plan, domain: &mut Domain, rng: &mut Rng) -> String {
    if let Some(bus) = &domain.bus {
        return bus.clone();
    }
    let bus = new_id(plan, &format!("{}Bus", domain.pascal));
    let name = domain.kebab();
    let mut yaml = fill(
        "  @id@:
    Type: AWS::Events::EventBus
    Properties:
      Name: !Sub \"${AWS::StackName}-@name@\"
",
        &[("id", &bus), ("name", &name)],
    );
    if rng.percent(60) {
        let archive = new_id(plan, &format!("{bus}Archive"));
        yaml.push_str(&fill(
            "  @archive@:
    Type: AWS::Events::Archive
    Properties:
      Description: Replays @name@ events after an incident.
      SourceArn: !GetAtt @id@.Arn
      RetentionDays: 14
",
            &[("id", &bus), ("archive", &archive), ("name", &name)],
        ));
    }
    domain.comment(format!("The {} event bus", words(&domain.name)));
    domain.resource(yaml);
    domain.outputs.push((
        format!("{bus}Name"),
        format!("The event bus of the {} domain.", words(&domain.name)),
        format!("!Ref {bus}"),
        true,
    ));
    domain.bus = Some(bus.clone());
    bus
}

/// Gives an asynchronously invoked function somewhere to put what fails after Lambda's retries.
fn async_failure(plan: &mut Plan, domain: &mut Domain, rng: &mut Rng, function: usize) {
    let base = domain.functions[function].id.trim_end_matches("Function").to_owned();
    let extra = match rng.below(3) {
        0 => {
            let dead_letter = new_id(plan, &format!("{base}AsyncDeadLetterQueue"));
            domain.resource(dead_letter_queue_yaml(&dead_letter));
            fill(
                "      DeadLetterQueue:
        Type: SQS
        TargetArn: !GetAtt @dlq@.Arn
",
                &[("dlq", &dead_letter)],
            )
        }
        1 => {
            let dead_letter = new_id(plan, &format!("{base}FailureQueue"));
            domain.resource(dead_letter_queue_yaml(&dead_letter));
            fill(
                "      EventInvokeConfig:
        MaximumRetryAttempts: 1
        MaximumEventAgeInSeconds: 3600
        DestinationConfig:
          OnFailure:
            Type: SQS
            Destination: !GetAtt @dlq@.Arn
",
                &[("dlq", &dead_letter)],
            )
        }
        _ => "      EventInvokeConfig:
        MaximumRetryAttempts: 2
        DestinationConfig:
          OnFailure:
            Type: SQS
"
        .to_owned(),
    };
    domain.functions[function].extra.push(extra);
}

fn sqs_policy(queue: &str) -> String {
    fill("- SQSSendMessagePolicy:\n    QueueName: !GetAtt @q@.QueueName\n", &[("q", queue)])
}

fn sns_policy(topic: &str) -> String {
    fill("- SNSPublishMessagePolicy:\n    TopicName: !GetAtt @t@.TopicName\n", &[("t", topic)])
}

fn dynamodb_policy(table: &str) -> String {
    fill("- DynamoDBCrudPolicy:\n    TableName: !Ref @t@\n", &[("t", table)])
}

fn kinesis_policy(stream: &str) -> String {
    fill("- KinesisCrudPolicy:\n    StreamName: !Ref @s@\n", &[("s", stream)])
}

fn bus_policy(bus: &str) -> String {
    fill("- EventBridgePutEventsPolicy:\n    EventBusName: @b@\n", &[("b", bus)])
}

/// The `event_type` list of a filter policy or the `detail-type` list of a pattern.
fn name_list(plan: &Plan, events: &[usize], indent_by: usize) -> String {
    let pad = " ".repeat(indent_by);
    events.iter().map(|&event| format!("{pad}- {}\n", plan.events[event].name)).collect()
}

/// An SQS event of a SAM function.
fn sqs_event(name: &str, queue: &str, rng: &mut Rng) -> String {
    let batch = rng.pick(&["10", "10", "5", "20"]);
    let window = if *batch == "20" { "    MaximumBatchingWindowInSeconds: 5\n" } else { "" };
    fill(
        "@name@:
  Type: SQS
  Properties:
    Queue: !GetAtt @q@.Arn
    BatchSize: @batch@
@window@    FunctionResponseTypes:
      - ReportBatchItemFailures
",
        &[("name", name), ("q", queue), ("batch", batch), ("window", window)],
    )
}

/// A DynamoDB or Kinesis stream event with bounded retries and an on-failure destination.
fn stream_event(name: &str, kind: &str, stream_arn: &str, failure: &str, rng: &mut Rng) -> String {
    let position = if kind == "Kinesis" { "LATEST" } else { "TRIM_HORIZON" };
    let batch = rng.pick(&["25", "50", "100"]);
    let retries = rng.range(2, 6).to_string();
    fill(
        "@name@:
  Type: @kind@
  Properties:
    Stream: @arn@
    StartingPosition: @position@
    BatchSize: @batch@
    MaximumRetryAttempts: @retries@
    BisectBatchOnFunctionError: true
    FunctionResponseTypes:
      - ReportBatchItemFailures
    DestinationConfig:
      OnFailure:
        Destination: !GetAtt @failure@.Arn
",
        &[
            ("name", name),
            ("kind", kind),
            ("arn", stream_arn),
            ("position", position),
            ("batch", batch),
            ("retries", &retries),
            ("failure", failure),
        ],
    )
}

fn rule_dead_letter(rng: &mut Rng) -> String {
    let retries = rng.range(2, 8).to_string();
    fill(
        "    RetryPolicy:
      MaximumRetryAttempts: @n@
      MaximumEventAgeInSeconds: 3600
    DeadLetterConfig:
      Type: SQS
",
        &[("n", &retries)],
    )
}

// --- Motifs --------------------------------------------------------------------------------------

/// An API writes a thing's lifecycle events to a table; the table's stream is published to a
/// topic that fans out to two to five consumers.
fn fan_out(plan: &mut Plan, domain: &mut Domain, rng: &mut Rng, budget: usize) -> usize {
    let entity = domain.next_entity(rng);
    let lifecycle = *rng.pick(LIFECYCLES);
    let count = if rng.percent(60) { 3 } else { 2 };
    let steps = &lifecycle[..count];
    let events: Vec<usize> =
        steps.iter().map(|(verb, _, _)| new_event(plan, domain, rng, &entity, &[verb], true)).collect();
    let base = format!("{}{}", domain.pascal, entity.pascal());
    domain.comment(format!("{}: API, table, stream, topic and consumers", pascal(&entity.plural)));
    let (table, failure) = add_table(plan, domain, rng, &base, &format!("{}_id", entity.snake));

    let path = format!("/{}/{}", domain.kebab(), entity.plural.replace('_', "-"));
    let routes: Vec<Route> = steps
        .iter()
        .zip(&events)
        .enumerate()
        .map(|(position, ((_, verb, method), &event))| Route {
            method,
            path: if position == 0 { path.clone() } else { format!("{path}/{{id}}") },
            verb,
            event,
        })
        .collect();
    let api = new_function(plan, domain, rng, &entity, "api", Trigger::Api(routes.clone()));
    domain.has_api = true;
    let table_var = format!("{}_TABLE_NAME", upper(&entity.snake));
    {
        let function = &mut domain.functions[api];
        function.description = format!(
            "The {} API: {}.",
            entity.words(),
            routes
                .iter()
                .map(|r| format!("{} {}", r.method.to_uppercase(), r.path))
                .collect::<Vec<_>>()
                .join(", ")
        );
        function.add_env(&table_var, &format!("!Ref {table}"));
        function.add_policy(dynamodb_policy(&table));
        for route in &routes {
            let name = pascal(&format!("{}_{}", route.verb, entity.snake));
            function.events.push(fill(
                "@name@:\n  Type: Api\n  Properties:\n    Path: @path@\n    Method: @method@\n",
                &[("name", &name), ("path", &route.path), ("method", route.method)],
            ));
        }
    }
    let by_env = rng.percent(40);
    for &event in &events {
        produce(domain, api, event, &table, &table_var, "table", by_env);
    }

    let (topic, subscription_dlq) = add_topic(plan, domain, &base);
    let publisher = new_function(plan, domain, rng, &entity, "stream-publisher", Trigger::Stream);
    let topic_var = format!("{}_EVENTS_TOPIC_ARN", upper(&entity.snake));
    {
        let stream =
            stream_event("TableChanges", "DynamoDB", &format!("!GetAtt {table}.StreamArn"), &failure, rng);
        let function = &mut domain.functions[publisher];
        function.description =
            format!("Publishes the changes of the {table} as {} events on the {topic}.", entity.words());
        function.add_env(&topic_var, &format!("!Ref {topic}"));
        function.add_policy(sns_policy(&topic));
        function.add_policy(sqs_policy(&failure));
        function.events.push(stream);
    }
    consume(domain, publisher, &events, &table);
    let by_env = rng.percent(80);
    for &event in &events {
        produce(domain, publisher, event, &topic, &topic_var, "topic", by_env);
    }
    domain.topics.push(Topic { id: topic, dead_letter: subscription_dlq, events, entity });
    let topic_index = domain.topics.len() - 1;
    let consumers = rng.range(2, 5).min(budget - 2);
    for position in 0..consumers {
        topic_consumer(plan, domain, rng, topic_index, position == 0);
    }
    2 + consumers
}

/// A new consumer of a topic: through its own queue, or subscribed directly. `everything`: it
/// takes every event of the topic.
fn topic_consumer(plan: &mut Plan, domain: &mut Domain, rng: &mut Rng, topic: usize, everything: bool) {
    let Topic { id: topic_id, dead_letter, events, entity } = domain.topics[topic].clone();
    let filtered = !everything && events.len() > 1 && rng.percent(60);
    let taken: Vec<usize> = if filtered {
        let count = rng.range(1, events.len() - 1);
        rng.sample(&events, count)
    } else {
        events.clone()
    };
    let role = free_role(domain, rng, &entity, ROLES);
    let direct = rng.percent(25);
    let function =
        new_function(plan, domain, rng, &entity, &role, if direct { Trigger::Sns } else { Trigger::Queue });
    let base = domain.functions[function].id.trim_end_matches("Function").to_owned();
    let what = taken.iter().map(|&e| plan.events[e].name.clone()).collect::<Vec<_>>().join(", ");
    domain.functions[function].description = format!("The {} {role}: handles {what}.", entity.words());
    if direct {
        let filter = if filtered {
            format!("    FilterPolicy:\n      event_type:\n{}", name_list(plan, &taken, 8))
        } else {
            String::new()
        };
        domain.functions[function].events.push(fill(
            "@name@:
  Type: SNS
  Properties:
    Topic: !Ref @topic@
@filter@    RedrivePolicy:
      deadLetterTargetArn: !GetAtt @dlq@.Arn
",
            &[
                ("name", &format!("{}Events", entity.pascal())),
                ("topic", &topic_id),
                ("filter", &filter),
                ("dlq", &dead_letter),
            ],
        ));
        async_failure(plan, domain, rng, function);
        consume(domain, function, &taken, &topic_id);
    } else {
        let visibility = domain.functions[function].timeout * 6 + if rng.percent(30) { 30 } else { 0 };
        let (queue, _) = add_queue(plan, domain, rng, &base, visibility);
        let subscription = new_id(plan, &format!("{base}Subscription"));
        let filter = if filtered {
            format!(
                "      FilterPolicyScope: MessageAttributes\n      FilterPolicy:\n        event_type:\n{}",
                name_list(plan, &taken, 10)
            )
        } else {
            String::new()
        };
        domain.resource(fill(
            "  @id@:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref @topic@
      Protocol: sqs
      Endpoint: !GetAtt @queue@.Arn
      RawMessageDelivery: true
@filter@      RedrivePolicy:
        deadLetterTargetArn: !GetAtt @dlq@.Arn
",
            &[
                ("id", &subscription),
                ("topic", &topic_id),
                ("queue", &queue),
                ("filter", &filter),
                ("dlq", &dead_letter),
            ],
        ));
        add_queue_policy(plan, domain, &queue, "sns.amazonaws.com", &format!("!Ref {topic_id}"));
        queue_trigger(plan, domain, rng, function, &queue);
        consume(domain, function, &taken, &queue);
    }
    domain.leaves.push(function);
}

/// `function` polls `queue`: a SAM event mostly, sometimes its own event source mapping.
fn queue_trigger(plan: &mut Plan, domain: &mut Domain, rng: &mut Rng, function: usize, queue: &str) {
    if rng.percent(15) {
        let mapping = new_id(plan, &format!("{}Mapping", domain.functions[function].id));
        let function_id = domain.functions[function].id.clone();
        domain.resource(fill(
            "  @id@:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt @queue@.Arn
      FunctionName: !Ref @function@
      BatchSize: 10
      FunctionResponseTypes:
        - ReportBatchItemFailures
",
            &[("id", &mapping), ("queue", queue), ("function", &function_id)],
        ));
        domain.functions[function]
            .add_policy(fill("- SQSPollerPolicy:\n    QueueName: !GetAtt @q@.QueueName\n", &[("q", queue)]));
    } else {
        let event = sqs_event("Messages", queue, rng);
        domain.functions[function].events.push(event);
    }
}

/// A leaf to extend, and whether it stays one.
fn take_leaf(domain: &mut Domain, rng: &mut Rng) -> usize {
    let position = rng.below(domain.leaves.len());
    let leaf = domain.leaves[position];
    if rng.percent(65) {
        domain.leaves.swap_remove(position);
    }
    leaf
}

/// A leaf sends a new event to a queue that a new worker polls.
fn queue_chain(plan: &mut Plan, domain: &mut Domain, rng: &mut Rng) -> usize {
    let leaf = take_leaf(domain, rng);
    let entity = domain.functions[leaf].entity.clone();
    let count = if rng.percent(20) { 2 } else { 1 };
    let typed = rng.percent(85);
    let events: Vec<usize> =
        (0..count).map(|_| new_event(plan, domain, rng, &entity, PROCESS_VERBS, typed)).collect();
    let role = free_role(domain, rng, &entity, ROLES);
    let worker = new_function(plan, domain, rng, &entity, &role, Trigger::Queue);
    let base = domain.functions[worker].id.trim_end_matches("Function").to_owned();
    let visibility = domain.functions[worker].timeout * 6;
    let (queue, _) = add_queue(plan, domain, rng, &base, visibility);
    queue_trigger(plan, domain, rng, worker, &queue);
    let what = events.iter().map(|&e| plan.events[e].name.clone()).collect::<Vec<_>>().join(" and ");
    domain.functions[worker].description =
        format!("The {} {role}: works off {what} from its queue.", entity.words());
    let var =
        domain.functions[leaf].free_var(&format!("{}_QUEUE_URL", upper(&format!("{}_{role}", entity.snake))));
    domain.functions[leaf].add_env(&var, &format!("!Ref {queue}"));
    domain.functions[leaf].add_policy(sqs_policy(&queue));
    let by_env = rng.percent(70);
    for &event in &events {
        produce(domain, leaf, event, &queue, &var, "queue", by_env);
    }
    consume(domain, worker, &events, &queue);
    domain.leaves.push(worker);
    1
}

/// A leaf puts events on the domain's bus; rules route them to one to three new functions.
fn bus_fan_out(plan: &mut Plan, domain: &mut Domain, rng: &mut Rng, budget: usize) -> usize {
    let leaf = take_leaf(domain, rng);
    let bus = domain_bus(plan, domain, rng);
    let entity = domain.functions[leaf].entity.clone();
    let count = if rng.percent(35) { 2 } else { 1 };
    let events: Vec<usize> =
        (0..count).map(|_| new_event(plan, domain, rng, &entity, PROCESS_VERBS, true)).collect();
    let var = domain.functions[leaf].free_var("EVENT_BUS_NAME");
    domain.functions[leaf].add_env(&var, &format!("!Ref {bus}"));
    domain.functions[leaf].add_policy(bus_policy(&format!("!Ref {bus}")));
    let by_env = rng.percent(60);
    for &event in &events {
        produce(domain, leaf, event, &bus, &var, "bus", by_env);
    }
    let targets = rng.range(1, 3).min(budget);
    for position in 0..targets {
        let taken = if position == 0 || events.len() == 1 {
            events.clone()
        } else {
            let count = rng.range(1, events.len());
            rng.sample(&events, count)
        };
        let role = free_role(domain, rng, &entity, ROLES);
        let function = new_function(plan, domain, rng, &entity, &role, Trigger::Bus);
        let what = taken.iter().map(|&e| plan.events[e].name.clone()).collect::<Vec<_>>().join(", ");
        let event_name = format!("{}Rule", pascal(&plan.events[taken[0]].name));
        let rule = fill(
            "@name@:
  Type: EventBridgeRule
  Properties:
    EventBusName: !Ref @bus@
    Pattern:
      source:
        - @source@
      detail-type:
@types@@dead@",
            &[
                ("name", &event_name),
                ("bus", &bus),
                ("source", &domain.name),
                ("types", &name_list(plan, &taken, 8)),
                ("dead", &rule_dead_letter(rng)),
            ],
        );
        domain.functions[function].events.push(rule);
        domain.functions[function].description =
            format!("The {} {role}: reacts to {what} on the {bus}.", entity.words());
        async_failure(plan, domain, rng, function);
        consume(domain, function, &taken, &bus);
        domain.leaves.push(function);
    }
    targets
}

/// A leaf writes a new event to a table of its own; the table's stream feeds a new function.
fn table_chain(plan: &mut Plan, domain: &mut Domain, rng: &mut Rng) -> usize {
    let leaf = take_leaf(domain, rng);
    let entity = domain.functions[leaf].entity.clone();
    let event = new_event(plan, domain, rng, &entity, PROCESS_VERBS, true);
    let noun = rng.pick(&["History", "Projection", "Ledger", "Outbox", "Journal"]);
    let base = format!("{}{}{noun}", domain.pascal, entity.pascal());
    let (table, failure) = add_table(plan, domain, rng, &base, "pk");
    let var =
        domain.functions[leaf].free_var(&format!("{}_{}_TABLE_NAME", upper(&entity.snake), upper(noun)));
    domain.functions[leaf].add_env(&var, &format!("!Ref {table}"));
    domain.functions[leaf].add_policy(dynamodb_policy(&table));
    let by_env = rng.percent(50);
    produce(domain, leaf, event, &table, &var, "table", by_env);
    let role = free_role(
        domain,
        rng,
        &entity,
        &["projector", "replicator", "history-feed", "outbox-relay", "journal-reader"],
    );
    let function = new_function(plan, domain, rng, &entity, &role, Trigger::Stream);
    let stream = stream_event("Changes", "DynamoDB", &format!("!GetAtt {table}.StreamArn"), &failure, rng);
    domain.functions[function].events.push(stream);
    domain.functions[function].add_policy(sqs_policy(&failure));
    domain.functions[function].description =
        format!("The {} {role}: follows the stream of the {table}.", entity.words());
    consume(domain, function, &[event], &table);
    domain.leaves.push(function);
    1
}

/// A leaf writes events to a Kinesis stream that a new function consumes.
fn kinesis_chain(plan: &mut Plan, domain: &mut Domain, rng: &mut Rng) -> usize {
    let leaf = take_leaf(domain, rng);
    let entity = domain.functions[leaf].entity.clone();
    let count = if rng.percent(30) { 2 } else { 1 };
    let events: Vec<usize> =
        (0..count).map(|_| new_event(plan, domain, rng, &entity, PROCESS_VERBS, true)).collect();
    let base = format!("{}{}Activity", domain.pascal, entity.pascal());
    let stream = new_id(plan, &format!("{base}Stream"));
    let failure = new_id(plan, &format!("{base}FailureQueue"));
    let shards = rng.range(1, 4).to_string();
    domain.resource(fill(
        "  @id@:
    Type: AWS::Kinesis::Stream
    Properties:
      ShardCount: @shards@
      RetentionPeriodHours: 24
      StreamEncryption:
        EncryptionType: KMS
        KeyId: alias/aws/kinesis
",
        &[("id", &stream), ("shards", &shards)],
    ));
    domain.resource(dead_letter_queue_yaml(&failure));
    let var = domain.functions[leaf].free_var(&format!("{}_ACTIVITY_STREAM_NAME", upper(&entity.snake)));
    domain.functions[leaf].add_env(&var, &format!("!Ref {stream}"));
    domain.functions[leaf].add_policy(kinesis_policy(&stream));
    let by_env = rng.percent(50);
    for &event in &events {
        produce(domain, leaf, event, &stream, &var, "stream", by_env);
    }
    let role =
        free_role(domain, rng, &entity, &["activity-sink", "analytics", "metrics-feed", "clickstream"]);
    let function = new_function(plan, domain, rng, &entity, &role, Trigger::Kinesis);
    let trigger = stream_event("Activity", "Kinesis", &format!("!GetAtt {stream}.Arn"), &failure, rng);
    domain.functions[function].events.push(trigger);
    domain.functions[function].add_policy(sqs_policy(&failure));
    domain.functions[function].description = format!("The {} {role}: reads the {stream}.", entity.words());
    consume(domain, function, &events, &stream);
    domain.leaves.push(function);
    1
}

/// A scheduled job asks a worker, through a queue, to do periodic work.
fn scheduled_job(plan: &mut Plan, domain: &mut Domain, rng: &mut Rng) -> usize {
    let entity = domain.used_entity(rng);
    let role = free_role(domain, rng, &entity, JOB_ROLES);
    let expression = (*rng.pick(&[
        "rate(5 minutes)",
        "rate(15 minutes)",
        "rate(1 hour)",
        "cron(0 3 * * ? *)",
        "cron(30 1 ? * MON-FRI *)",
    ]))
    .to_owned();
    let job = new_function(plan, domain, rng, &entity, &role, Trigger::Schedule(expression.clone()));
    domain.comment(format!("{}: scheduled {role}", pascal(&entity.plural)));
    let schedule = if rng.percent(50) {
        fill(
            "Tick:
  Type: Schedule
  Properties:
    Schedule: \"@e@\"
    Description: Starts the @role@.
@dead@",
            &[("e", &expression), ("role", &role), ("dead", &rule_dead_letter(rng))],
        )
    } else {
        fill(
            "Tick:
  Type: ScheduleV2
  Properties:
    ScheduleExpression: \"@e@\"
    ScheduleExpressionTimezone: Europe/Berlin
@dead@",
            &[("e", &expression), ("dead", &rule_dead_letter(rng))],
        )
    };
    domain.functions[job].events.push(schedule);
    domain.functions[job].description = format!("The {} {role}, on `{expression}`.", entity.words());
    async_failure(plan, domain, rng, job);
    let typed = rng.percent(60);
    let event = new_event(plan, domain, rng, &entity, JOB_VERBS, typed);
    let worker_role = free_role(domain, rng, &entity, &["worker", "executor", "batch-runner"]);
    let worker = new_function(plan, domain, rng, &entity, &worker_role, Trigger::Queue);
    let base = domain.functions[worker].id.trim_end_matches("Function").to_owned();
    let visibility = domain.functions[worker].timeout * 6;
    let (queue, _) = add_queue(plan, domain, rng, &base, visibility);
    queue_trigger(plan, domain, rng, worker, &queue);
    domain.functions[worker].description =
        format!("The {} {worker_role}: does what the {role} asks for.", entity.words());
    let var = format!("{}_WORK_QUEUE_URL", upper(&entity.snake));
    domain.functions[job].add_env(&var, &format!("!Ref {queue}"));
    domain.functions[job].add_policy(sqs_policy(&queue));
    let by_env = rng.percent(60);
    produce(domain, job, event, &queue, &var, "queue", by_env);
    consume(domain, worker, &[event], &queue);
    domain.leaves.push(worker);
    2
}

/// The only function of a tiny domain: a job that records a tick in a table.
fn lone_job(plan: &mut Plan, domain: &mut Domain, rng: &mut Rng) -> usize {
    let entity = domain.next_entity(rng);
    let job = new_function(plan, domain, rng, &entity, "scheduler", Trigger::Schedule("rate(1 hour)".into()));
    domain.functions[job].events.push(fill(
        "Tick:\n  Type: Schedule\n  Properties:\n    Schedule: rate(1 hour)\n@dead@",
        &[("dead", &rule_dead_letter(rng))],
    ));
    domain.functions[job].description = format!("The {} scheduler.", entity.words());
    async_failure(plan, domain, rng, job);
    1
}

/// A function of `domain` that listens on the default bus for `event` of an earlier domain.
fn listener(plan: &mut Plan, domain: &mut Domain, rng: &mut Rng, event: usize) {
    let upstream = plan.events[event].domain;
    let upstream_name = plan.domains[upstream].name.clone();
    let event_name = plan.events[event].name.clone();
    let rust = plan.events[event].rust.clone().unwrap_or_else(|| pascal(&event_name));
    let entity = domain.next_entity(rng);
    let role = format!("{}-listener", kebab(&rust));
    let function = new_function(plan, domain, rng, &entity, &role, Trigger::Bus);
    let function_id = domain.functions[function].id.clone();
    domain.comment(format!("{event_name} from the {} domain", words(&upstream_name)));
    let from = if rng.percent(50) {
        // An explicit rule on the default bus, with a dead-letter queue and the permission to invoke.
        let rule = new_id(plan, &format!("{}{}Rule", domain.pascal, pascal(&rust)));
        let dead_letter = new_id(plan, &format!("{rule}DeadLetterQueue"));
        let permission = new_id(plan, &format!("{rule}Permission"));
        let retries = rng.range(2, 8).to_string();
        domain.resource(fill(
            "  @rule@:
    Type: AWS::Events::Rule
    Properties:
      Description: @event@ from the @upstream@ domain, to @function@.
      EventPattern:
        source:
          - @upstream@
        detail-type:
          - @event@
      State: ENABLED
      Targets:
        - Id: @function@
          Arn: !GetAtt @function@.Arn
          RetryPolicy:
            MaximumRetryAttempts: @retries@
            MaximumEventAgeInSeconds: 3600
          DeadLetterConfig:
            Arn: !GetAtt @dlq@.Arn
  @permission@:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !GetAtt @function@.Arn
      Principal: events.amazonaws.com
      SourceArn: !GetAtt @rule@.Arn
",
            &[
                ("rule", &rule),
                ("event", &event_name),
                ("upstream", &upstream_name),
                ("function", &function_id),
                ("retries", &retries),
                ("dlq", &dead_letter),
                ("permission", &permission),
            ],
        ));
        domain.resource(dead_letter_queue_yaml(&dead_letter));
        add_queue_policy(plan, domain, &dead_letter, "events.amazonaws.com", &format!("!GetAtt {rule}.Arn"));
        rule
    } else {
        let name = format!("From{}", pascal(&upstream_name));
        domain.functions[function].events.push(fill(
            "@name@:
  Type: EventBridgeRule
  Properties:
    Pattern:
      source:
        - @upstream@
      detail-type:
        - @event@
@dead@",
            &[
                ("name", &name),
                ("upstream", &upstream_name),
                ("event", &event_name),
                ("dead", &rule_dead_letter(rng)),
            ],
        ));
        format!("{function_id}{name}")
    };
    domain.functions[function].description = format!(
        "Takes {event_name} from the {} domain into the {} domain.",
        words(&upstream_name),
        words(&domain.name)
    );
    async_failure(plan, domain, rng, function);
    consume(domain, function, &[event], &from);
    domain.leaves.push(function);
}

/// Functions of `domain` that tell later domains about milestones, over the default bus.
fn publish_integration(plan: &mut Plan, domain: &mut Domain, rng: &mut Rng) -> Vec<usize> {
    let mut candidates: Vec<usize> = (0..domain.functions.len())
        .filter(|&index| !matches!(domain.functions[index].trigger, Trigger::Api(_)))
        .collect();
    if candidates.is_empty() {
        return Vec::new();
    }
    rng.shuffle(&mut candidates);
    let publishers = rng.range(1, 2).min(candidates.len());
    let mut published = Vec::new();
    for (position, &function) in candidates.iter().take(publishers).enumerate() {
        let count = if publishers == 1 || position == 0 { rng.range(1, 2) } else { 1 };
        let entity = domain.functions[function].entity.clone();
        let var = "INTEGRATION_BUS_ARN";
        domain.functions[function].add_env(
            var,
            "!Sub \"arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default\"",
        );
        domain.functions[function].add_policy(bus_policy("default"));
        for _ in 0..count {
            let event = new_event(plan, domain, rng, &entity, MILESTONE_VERBS, true);
            produce(domain, function, event, "default", var, "default bus", true);
            published.push(event);
        }
    }
    published
}

// --- Templates and manifests ---------------------------------------------------------------------

fn template_header(description: &str, has_api: bool) -> String {
    let api = if has_api { "  Api:\n    TracingEnabled: true\n" } else { "" };
    fill(
        "AWSTemplateFormatVersion: \"2010-09-09\"
Transform: AWS::Serverless-2016-10-31
Description: >-
  @description@

Parameters:
  LogLevel:
    Type: String
    Default: info
    AllowedValues:
      - debug
      - info
      - warn
    Description: The log level of every function.

Globals:
  Function:
    Runtime: provided.al2023
    Architectures:
      - arm64
    Handler: bootstrap
    Tracing: Active
    Timeout: 10
    MemorySize: 256
    Environment:
      Variables:
        RUST_LOG: !Ref LogLevel
@api@
Resources:
",
        &[("description", description), ("api", api)],
    )
}

fn function_yaml(function: &Function, code_uri: &str) -> String {
    let mut out = String::with_capacity(2048);
    let _ = writeln!(out, "  {}:", function.id);
    out.push_str("    Type: AWS::Serverless::Function\n    Metadata:\n      BuildMethod: rust-cargolambda\n");
    let _ = writeln!(out, "      BuildProperties:\n        Binary: {}", function.package);
    out.push_str("    Properties:\n");
    let _ = writeln!(out, "      Description: \"{}\"", function.description);
    let _ = writeln!(out, "      CodeUri: {code_uri}");
    if function.timeout != 10 {
        let _ = writeln!(out, "      Timeout: {}", function.timeout);
    }
    if function.memory != 256 {
        let _ = writeln!(out, "      MemorySize: {}", function.memory);
    }
    if !function.env.is_empty() {
        out.push_str("      Environment:\n        Variables:\n");
        for (name, value) in &function.env {
            let _ = writeln!(out, "          {name}: {value}");
        }
    }
    if !function.policies.is_empty() {
        out.push_str("      Policies:\n");
        for policy in &function.policies {
            out.push_str(&indent(policy, 8));
        }
    }
    for extra in &function.extra {
        out.push_str(extra);
    }
    if !function.events.is_empty() {
        out.push_str("      Events:\n");
        for event in &function.events {
            out.push_str(&indent(event, 8));
        }
    }
    out
}

/// The resources of `domain`, with `prefix` before every `CodeUri` (the domain's folder seen
/// from the template).
fn domain_resources(domain: &Domain, prefix: &str) -> String {
    let mut out = String::with_capacity(domain.functions.len() * 4096);
    for block in &domain.blocks {
        match block {
            Block::Comment(text) => {
                let _ = writeln!(out, "  # --- {text} {}\n", "-".repeat(90usize.saturating_sub(text.len())));
            }
            Block::Resource(yaml) => {
                out.push_str(yaml);
                out.push('\n');
            }
            Block::Function(index) => {
                let function = &domain.functions[*index];
                out.push_str(&function_yaml(function, &format!("{prefix}{}/", function.dir)));
                out.push('\n');
            }
        }
    }
    out
}

fn outputs_yaml(domain: &Domain, api_output: bool) -> String {
    let mut out = String::new();
    if api_output {
        out.push_str("  ApiUrl:\n    Description: The REST API of the functions with an Api event.\n");
        out.push_str("    Value: !Sub \"https://${ServerlessRestApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/Prod/\"
");
    }
    for (name, description, value, exported) in &domain.outputs {
        let _ = writeln!(out, "  {name}:\n    Description: {description}\n    Value: {value}");
        if *exported {
            let _ = writeln!(out, "    Export:\n      Name: !Sub \"${{AWS::StackName}}-{name}\"");
        }
    }
    out
}

fn domain_summary(plan: &Plan, domain: &Domain) -> String {
    let listeners = domain
        .functions
        .iter()
        .flat_map(|function| &function.consumes)
        .filter(|consume| plan.events[consume.event].domain != domain.index)
        .count();
    format!(
        "{}: {} functions and the queues, topics, tables, streams and rules between them. {} events of \
         its own; {listeners} listeners take events of earlier domains from the default event bus.",
        domain.description,
        domain.functions.len(),
        domain.events.len()
    )
}

fn write_templates(plan: &Plan, options: &Options, files: &mut BTreeMap<String, String>) {
    if options.single_template {
        let has_api = plan.domains.iter().any(|domain| domain.has_api);
        let description = format!(
            "The whole synthetic system in one template: {} domains, {} functions. Generated by flowdoc's synth example (seed {}).",
            plan.domains.len(),
            plan.domains.iter().map(|domain| domain.functions.len()).sum::<usize>(),
            options.seed
        );
        let mut text = template_header(&description, has_api);
        let mut outputs = String::new();
        for (position, domain) in plan.domains.iter().enumerate() {
            let _ = writeln!(
                text,
                "  # === {} {}\n",
                domain.name,
                "=".repeat(90usize.saturating_sub(domain.name.len()))
            );
            text.push_str(&domain_resources(domain, &format!("{}/", domain.dir)));
            outputs.push_str(&outputs_yaml(domain, has_api && position == 0));
        }
        if !outputs.is_empty() {
            text.push_str("Outputs:\n");
            text.push_str(&outputs);
        }
        files.insert("template.yaml".to_owned(), text);
    } else {
        for domain in &plan.domains {
            let mut text = template_header(&domain_summary(plan, domain), domain.has_api);
            text.push_str(&domain_resources(domain, ""));
            let outputs = outputs_yaml(domain, domain.has_api);
            if !outputs.is_empty() {
                text.push_str("Outputs:\n");
                text.push_str(&outputs);
            }
            files.insert(format!("{}/template.yaml", domain.dir), text);
        }
    }
}

fn write_workspace(plan: &Plan, options: &Options, files: &mut BTreeMap<String, String>) {
    let mut members = Vec::new();
    let mut events_crates = Vec::new();
    for domain in &plan.domains {
        members.push(format!("{}/events", domain.dir));
        events_crates.push((domain.events_crate(), format!("{}/events", domain.dir)));
        for function in &domain.functions {
            members.push(format!("{}/{}", domain.dir, function.dir));
        }
    }
    members.sort();
    let mut text = format!(
        "# A synthetic serverless monorepo, generated by flowdoc's `synth` example:\n\
         #   cargo run --release --example synth -- DIR --crates {}{} --seed {}\n\
         # flowdoc reads it; nothing here is meant to be deployed.\n\n[workspace]\nmembers = [\n",
        options.crates,
        if options.single_template { " --single-template" } else { "" },
        options.seed
    );
    for member in &members {
        let _ = writeln!(text, "    \"{member}\",");
    }
    text.push_str(
        "]
resolver = \"3\"

[workspace.package]
version = \"0.1.0\"
edition = \"2024\"
license = \"MIT OR Apache-2.0\"
publish = false

[workspace.dependencies]
",
    );
    text.push_str("flowdoc-annotations = \"0.1\"\n");
    text.push_str(
        "lambda_runtime = { version = \"1.5\", default-features = false, features = [\"tracing\"] }\n",
    );
    text.push_str("serde = { version = \"1.0.229\", features = [\"derive\"] }\n");
    text.push_str("serde_json = \"1.0.154\"\n");
    text.push_str(
        "tokio = { version = \"1.54\", default-features = false, features = [\"macros\", \"rt\"] }\n",
    );
    text.push_str("tracing = { version = \"0.1.44\", default-features = false, features = [\"std\"] }\n");
    for (name, path) in &events_crates {
        let _ = writeln!(text, "{name} = {{ path = \"{path}\" }}");
    }
    files.insert("Cargo.toml".to_owned(), text);

    let functions: usize = plan.domains.iter().map(|domain| domain.functions.len()).sum();
    let typed = plan.events.iter().filter(|event| event.rust.is_some()).count();
    let mut readme = format!(
        "# Synthetic serverless monorepo\n\nGenerated by flowdoc's `synth` example (`--crates {} --seed {}{}`) to measure \
         flowdoc on a large project. Every file is made up: {} domains, {functions} Lambda functions, {} event \
         types ({typed} with a Rust type).\n\n",
        options.crates,
        options.seed,
        if options.single_template { " --single-template" } else { "" },
        plan.domains.len(),
        plan.events.len(),
    );
    readme.push_str("| domain | functions | events | template |\n|---|---|---|---|\n");
    for domain in &plan.domains {
        let template = if options.single_template {
            "template.yaml".to_owned()
        } else {
            format!("{}/template.yaml", domain.dir)
        };
        let _ = writeln!(
            readme,
            "| {} | {} | {} | `{template}` |",
            domain.name,
            domain.functions.len(),
            domain.events.len()
        );
    }
    files.insert("README.md".to_owned(), readme);
}

fn package_manifest(name: &str, description: &str, dependencies: &BTreeSet<String>) -> String {
    let mut text = format!(
        "[package]
name = \"{name}\"
description = \"{description}\"
version.workspace = true
edition.workspace = true
license.workspace = true
publish.workspace = true

[dependencies]
"
    );
    for dependency in dependencies {
        let _ = writeln!(text, "{dependency}.workspace = true");
    }
    text
}

// --- Rust files ----------------------------------------------------------------------------------

/// A Rust source file being put together: module docs, `mod` declarations, imports, items and
/// tests, each part in its place when rendered.
#[derive(Debug, Default)]
struct RustFile {
    docs: Vec<String>,
    mods: Vec<String>,
    uses: BTreeSet<String>,
    items: Vec<String>,
    tests: Vec<String>,
    test_uses: BTreeSet<String>,
    /// Names of items, to keep them unique.
    names: BTreeSet<String>,
    lines: usize,
}

impl RustFile {
    fn new(docs: &str) -> RustFile {
        let mut file = RustFile::default();
        file.docs = docs.lines().map(str::to_owned).collect();
        file.lines = file.docs.len() + 2;
        file
    }

    fn add_use(&mut self, path: &str) {
        if self.uses.insert(path.to_owned()) {
            self.lines += 1;
        }
    }

    fn add_mod(&mut self, declaration: String) {
        self.mods.push(declaration);
        self.lines += 1;
    }

    fn item(&mut self, text: String) {
        self.lines += line_count(&text) + 1;
        self.items.push(text);
    }

    fn test(&mut self, text: String) {
        if self.tests.is_empty() {
            self.lines += 4;
        }
        self.lines += line_count(&text) + 1;
        self.tests.push(text);
    }

    /// `wanted` if no item of the file has that name yet, else a variant of it.
    fn unique(&mut self, wanted: &str, suffixes: &[&str]) -> String {
        let mut name = wanted.to_owned();
        let mut attempt = 0;
        while self.names.contains(&name) {
            name = match suffixes.get(attempt) {
                Some(suffix) => format!("{wanted}{suffix}"),
                None => format!("{wanted}{}", attempt + 2),
            };
            attempt += 1;
        }
        self.names.insert(name.clone());
        name
    }

    fn render(&self) -> String {
        let mut out = String::with_capacity(self.lines * 48);
        for doc in &self.docs {
            if doc.is_empty() {
                out.push_str("//!\n");
            } else {
                let _ = writeln!(out, "//! {doc}");
            }
        }
        if !self.mods.is_empty() {
            out.push('\n');
            for declaration in &self.mods {
                let _ = writeln!(out, "{declaration}");
            }
        }
        if !self.uses.is_empty() {
            out.push('\n');
            for path in &self.uses {
                let _ = writeln!(out, "use {path};");
            }
        }
        for item in &self.items {
            out.push('\n');
            out.push_str(item);
        }
        if !self.tests.is_empty() {
            out.push_str("\n#[cfg(test)]\nmod tests {\n    use super::*;\n");
            for path in &self.test_uses {
                let _ = writeln!(out, "    use {path};");
            }
            for test in &self.tests {
                out.push('\n');
                out.push_str(&indent(test, 4));
            }
            out.push_str("}\n");
        }
        out
    }
}

/// How long an ordinary file should be: 60 to 460 lines (a little more once filled), most
/// between 100 and 240.
fn target_lines(rng: &mut Rng) -> usize {
    // Files end up a little longer than their target (the last item does not fit exactly).
    match rng.below(100) {
        0..=24 => rng.range(60, 100),
        25..=59 => rng.range(100, 160),
        60..=82 => rng.range(160, 240),
        83..=95 => rng.range(240, 360),
        _ => rng.range(360, 460),
    }
}

/// What filler items are about.
#[derive(Clone, Debug)]
struct Subject {
    entity: Entity,
    domain: String,
}

/// The kinds of ordinary items a file can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Filler {
    Record,
    Status,
    Error,
    Store,
    Helper,
    AsyncHelper,
    Pages,
    Stats,
    Constants,
}

const ALL_FILLERS: &[Filler] = &[
    Filler::Record,
    Filler::Record,
    Filler::Status,
    Filler::Error,
    Filler::Store,
    Filler::Helper,
    Filler::Helper,
    Filler::Helper,
    Filler::AsyncHelper,
    Filler::Pages,
    Filler::Stats,
    Filler::Constants,
];

/// Adds ordinary items, starting with `preferred`, until the file is about `target` lines long.
fn fill_file(file: &mut RustFile, rng: &mut Rng, topic: &Subject, preferred: &[Filler], target: usize) {
    let mut queue: Vec<Filler> = preferred.to_vec();
    let mut guard = 0;
    while file.lines < target && guard < 200 {
        guard += 1;
        let kind = if queue.is_empty() { *rng.pick(ALL_FILLERS) } else { queue.remove(0) };
        let (item, tests, uses) = filler(kind, file, rng, topic);
        let size = line_count(&item) + tests.iter().map(|t| line_count(t) + 1).sum::<usize>();
        if file.lines + size > target + 40 && file.lines >= 60 {
            // Too long for what is left: a constant block is short.
            if kind == Filler::Constants {
                break;
            }
            queue.push(Filler::Constants);
            continue;
        }
        for path in uses {
            file.add_use(path);
        }
        file.item(item);
        for test in tests {
            file.test(test);
        }
    }
}

const RECORD_NOUNS: &[&str] = &[
    "Snapshot",
    "Summary",
    "Window",
    "Draft",
    "Line",
    "Entry",
    "Profile",
    "Quota",
    "Budget",
    "Lease",
    "Slot",
    "Plan",
    "Digest",
    "Manifest",
    "Checkpoint",
    "Cursor",
    "Segment",
    "Marker",
    "Projection",
    "View",
    "Row",
    "Request",
    "Change",
    "Hold",
    "Claim",
    "Limit",
    "Offer",
    "Match",
];

/// Fields of filler structs: name, type, default, doc.
const RECORD_FIELDS: &[(&str, &str, &str, &str)] = &[
    ("label", "String", "String::new()", "A short name people see."),
    ("region", "String", "String::new()", "The region it belongs to."),
    ("owner", "String", "String::new()", "The team or user that owns it."),
    ("channel", "String", "String::new()", "Where it came in."),
    ("currency", "String", "String::new()", "ISO 4217 code of the amounts."),
    ("attempts", "u32", "0", "How many times it was tried."),
    ("quantity", "u32", "0", "How many units."),
    ("priority", "u32", "0", "0 is the most urgent."),
    ("version", "u32", "0", "Grows by one with every change."),
    ("total_cents", "u64", "0", "The total in cents."),
    ("size_bytes", "u64", "0", "The size on the wire."),
    ("sequence", "u64", "0", "Where it is in the stream."),
    ("elapsed_ms", "u64", "0", "How long it took."),
    ("budget_cents", "u64", "0", "What may be spent, in cents."),
    ("balance_cents", "i64", "0", "The balance in cents; negative when overdrawn."),
    ("offset_secs", "i64", "0", "The offset from UTC, in seconds."),
    ("active", "bool", "false", "Whether it is in use."),
    ("archived", "bool", "false", "Whether it was archived."),
    ("verified", "bool", "false", "Whether someone checked it."),
    ("urgent", "bool", "false", "Whether it jumps the queue."),
    ("note", "Option<String>", "None", "A note, if anyone wrote one."),
    ("parent_id", "Option<String>", "None", "What it belongs to, if anything."),
    ("assignee", "Option<String>", "None", "Who works on it, once assigned."),
    ("tags", "Vec<String>", "Vec::new()", "Labels, in the order they were added."),
    ("recipients", "Vec<String>", "Vec::new()", "Who is told about it."),
    ("warnings", "Vec<String>", "Vec::new()", "What looked odd but did not stop it."),
    ("counts", "BTreeMap<String, u64>", "BTreeMap::new()", "How many of each kind."),
    ("limits", "BTreeMap<String, u64>", "BTreeMap::new()", "The limit per key."),
];

/// A sample value of a filler field type, for tests.
fn sample_value(ty: &str, rng: &mut Rng) -> String {
    match ty {
        "String" => format!("\"{}\".to_owned()", rng.pick(&["eu-west-1", "web", "team-a", "EUR", "blue"])),
        "u32" => rng.range(1, 40).to_string(),
        "u64" => (rng.range(1, 900) * 10).to_string(),
        "i64" => format!("-{}", rng.range(1, 500)),
        "bool" => "true".to_owned(),
        "Option<String>" => format!("Some(\"{}\".to_owned())", rng.pick(&["first", "ops", "u-17"])),
        "Vec<String>" => "vec![\"a\".to_owned(), \"b\".to_owned()]".to_owned(),
        _ => "BTreeMap::from([(\"a\".to_owned(), 3)])".to_owned(),
    }
}

type FillerOutput = (String, Vec<String>, Vec<&'static str>);

fn filler(kind: Filler, file: &mut RustFile, rng: &mut Rng, topic: &Subject) -> FillerOutput {
    match kind {
        Filler::Record => record_filler(file, rng, topic),
        Filler::Status => status_filler(file, rng, topic),
        Filler::Error => error_filler(file, rng, topic, None),
        Filler::Store => store_filler(file, rng, topic),
        Filler::Helper => helper_filler(file, rng, topic),
        Filler::AsyncHelper => async_filler(file, rng, topic),
        Filler::Pages => pages_filler(file, rng, topic),
        Filler::Stats => stats_filler(file, rng, topic),
        Filler::Constants => constants_filler(file, rng, topic),
    }
}

fn record_filler(file: &mut RustFile, rng: &mut Rng, topic: &Subject) -> FillerOutput {
    let entity = &topic.entity;
    let noun = rng.pick(RECORD_NOUNS);
    let name = file.unique(&format!("{}{noun}", entity.pascal()), &["Record", "Info", "Data"]);
    let lower = format!("{} {}", entity.words(), noun.to_ascii_lowercase());
    let key = (*rng.pick(&["id", "key", "name", "reference", "code", "slug"])).to_owned();
    let key = if key == "id" { format!("{}_id", entity.snake) } else { key };
    let count = rng.range(3, 7);
    let fields = rng.sample(RECORD_FIELDS, count);
    let mut derives = vec!["Debug", "Clone", "PartialEq", "Eq"];
    if rng.percent(50) {
        derives.push("Default");
    }
    if rng.percent(30) {
        derives.push("Hash");
    }
    if rng.percent(25) {
        derives.extend(["PartialOrd", "Ord"]);
    }
    let docs = [
        "@A@ @lower@, as this service keeps it.",
        "What the service knows about @a@ @lower@ at one point in time.",
        "@A@ @lower@. Cheap to clone; built with [`@name@::new`] and the `with_` methods.",
        "One @lower@ as read from storage or a request.",
    ];
    let a = article(&lower);
    let capital_a = if a == "an" { "An" } else { "A" };
    let template = *rng.pick(&docs);
    let doc = fill(template, &[("A", capital_a), ("a", a), ("lower", &lower), ("name", &name)]);
    let mut text = format!("/// {doc}\n#[derive({})]\npub struct {name} {{\n", derives.join(", "));
    let _ = writeln!(text, "    /// The key it is stored under.\n    pub {key}: String,");
    let mut uses = Vec::new();
    for (field, ty, _, field_doc) in &fields {
        if ty.starts_with("BTreeMap") {
            uses.push("std::collections::BTreeMap");
        }
        let _ = writeln!(text, "    /// {field_doc}\n    pub {field}: {ty},");
    }
    text.push_str("}\n\n");
    let _ = writeln!(text, "impl {name} {{");
    let _ = writeln!(
        text,
        "    /// Creates {a} {lower} for `{key}`, everything else at its default.
    pub fn new({key}: impl Into<String>) -> Self {{
        Self {{
            {key}: {key}.into(),"
    );
    for (field, _, default, _) in &fields {
        let _ = writeln!(text, "            {field}: {default},");
    }
    text.push_str("        }\n    }\n");
    // A predicate on one field.
    let (field, ty, _, _) = fields[rng.below(fields.len())];
    let threshold = rng.range(2, 50);
    let (adjective, body) = match ty {
        "bool" => (field.to_owned(), format!("self.{field}")),
        "u32" | "u64" => ("over_limit".to_owned(), format!("self.{field} > {threshold}")),
        "i64" => ("negative".to_owned(), format!("self.{field} < 0")),
        "Option<String>" => ("linked".to_owned(), format!("self.{field}.is_some()")),
        "Vec<String>" => ("tagged".to_owned(), format!("!self.{field}.is_empty()")),
        "String" => ("named".to_owned(), format!("!self.{field}.trim().is_empty()")),
        _ => ("counted".to_owned(), format!("self.{field}.values().any(|count| *count > {threshold})")),
    };
    let _ = write!(
        text,
        "
    /// Whether the {lower} is {}.
    pub fn is_{adjective}(&self) -> bool {{
        {body}
    }}
",
        words(&adjective)
    );
    let _ = write!(
        text,
        "
    /// One line about the {lower}, for logs.
    pub fn summary(&self) -> String {{
        format!(\"{lower} {{}} ({field}: {{:?}})\", self.{key}, self.{field})
    }}
"
    );
    let mut tests = Vec::new();
    for (field, ty, _, _) in fields.iter().take(rng.range(0, 2)) {
        let _ = write!(
            text,
            "
    /// Sets `{field}`.
    pub fn with_{field}(mut self, {field}: {ty}) -> Self {{
        self.{field} = {field};
        self
    }}
"
        );
        let value = sample_value(ty, rng);
        tests.push(format!(
            "#[test]
fn {}_with_{field}_keeps_the_value() {{
    let value = {name}::new(\"k-1\").with_{field}({value});
    assert_eq!(value.{field}, {value});
}}
",
            snake(&name)
        ));
    }
    text.push_str("}\n");
    let sample = rng.pick(&["k-1", "alpha", "x9", "eu-7"]);
    tests.push(format!(
        "#[test]
fn new_{}_has_its_key() {{
    let value = {name}::new(\"{sample}\");
    assert_eq!(value.{key}, \"{sample}\");
    assert!(value.summary().contains(\"{sample}\"));
}}
",
        snake(&name)
    ));
    if rng.percent(50) {
        tests.truncate(1);
    }
    (text, tests, uses)
}

const STATUS_SETS: &[(&str, &[&str])] = &[
    ("Status", &["Pending", "Active", "Suspended", "Closed"]),
    ("State", &["Draft", "Submitted", "Approved", "Rejected", "Archived"]),
    ("Stage", &["Queued", "Running", "Succeeded", "Failed", "Cancelled"]),
    ("Phase", &["New", "Assigned", "InProgress", "Resolved"]),
    ("Priority", &["Low", "Normal", "High", "Urgent"]),
    ("Cadence", &["Hourly", "Daily", "Weekly", "Monthly"]),
    ("Outcome", &["Accepted", "Partial", "Declined", "TimedOut"]),
    ("Tier", &["Free", "Standard", "Plus", "Enterprise"]),
    ("Mode", &["Live", "Shadow", "DryRun"]),
];

fn status_filler(file: &mut RustFile, rng: &mut Rng, topic: &Subject) -> FillerOutput {
    let (suffix, variants) = *rng.pick(STATUS_SETS);
    let name = file.unique(&format!("{}{suffix}", topic.entity.pascal()), &["Kind", "Value", "Code"]);
    let lower = format!("{} {}", topic.entity.words(), suffix.to_ascii_lowercase());
    let mut text = format!(
        "/// The {lower}. Stored and sent as its snake-case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum {name} {{
"
    );
    for variant in variants.iter() {
        let _ = writeln!(text, "    /// {}.\n    {variant},", pascal_to_sentence(variant));
    }
    text.push_str("}\n\n");
    let all = variants.iter().map(|v| format!("Self::{v}")).collect::<Vec<_>>().join(", ");
    let _ = writeln!(
        text,
        "impl {name} {{\n    /// Every {lower}, in order.\n    pub const ALL: [Self; {}] = [{all}];\n",
        variants.len()
    );
    text.push_str(
        "    /// The name used in messages and logs.
    pub fn as_str(self) -> &'static str {
        match self {
",
    );
    for variant in variants.iter() {
        let _ = writeln!(text, "            Self::{variant} => \"{}\",", snake(variant));
    }
    text.push_str("        }\n    }\n");
    let last = variants[variants.len() - 1];
    let terminal = if variants.len() > 3 {
        format!("Self::{} | Self::{last}", variants[variants.len() - 2])
    } else {
        format!("Self::{last}")
    };
    let _ = write!(
        text,
        "
    /// Whether nothing follows this {lower}.
    pub fn is_terminal(self) -> bool {{
        matches!(self, {terminal})
    }}
"
    );
    if rng.percent(50) {
        let _ = write!(
            text,
            "
    /// The {lower} after this one, if the flow goes on.
    pub fn next(self) -> Option<Self> {{
        match self {{
"
        );
        for pair in variants.windows(2) {
            let _ = writeln!(text, "            Self::{} => Some(Self::{}),", pair[0], pair[1]);
        }
        let _ = writeln!(text, "            Self::{last} => None,");
        text.push_str("        }\n    }\n");
    }
    text.push_str("}\n\n");
    let _ = write!(
        text,
        "impl fmt::Display for {name} {{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {{
        f.write_str(self.as_str())
    }}
}}

"
    );
    let _ = write!(
        text,
        "impl std::str::FromStr for {name} {{
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {{
        Self::ALL
            .into_iter()
            .find(|value| value.as_str() == text)
            .ok_or_else(|| format!(\"unknown {lower} `{{text}}`\"))
    }}
}}
"
    );
    let test = format!(
        "#[test]
fn {}_names_round_trip() {{
    for value in {name}::ALL {{
        assert_eq!(value.as_str().parse::<{name}>(), Ok(value));
    }}
    assert!(\"nonsense\".parse::<{name}>().is_err());
}}
",
        snake(&name)
    );
    (text, vec![test], vec!["std::fmt"])
}

fn pascal_to_sentence(pascal_name: &str) -> String {
    let text = words(&snake(pascal_name));
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| first.to_ascii_uppercase().to_string() + chars.as_str())
}

/// Error variants: declaration, display arm, a constructor, whether retryable, pattern.
fn error_variants(entity: &Entity) -> Vec<(String, String, String, bool, String)> {
    let id = format!("{}_id", entity.snake);
    let lower = entity.words();
    vec![
        (
            format!("    /// No {lower} with that id.\n    NotFound {{ {id}: String }},"),
            format!("Self::NotFound {{ {id} }} => write!(f, \"{lower} `{{{id}}}` was not found\"),"),
            format!("NotFound {{ {id}: \"x-1\".to_owned() }}"),
            false,
            "NotFound { .. }".to_owned(),
        ),
        (
            "    /// Someone else changed it first.\n    Conflict { expected: u64, found: u64 },".to_owned(),
            "Self::Conflict { expected, found } => write!(f, \"version conflict: expected {expected}, found {found}\"),".to_owned(),
            "Conflict { expected: 3, found: 4 }".to_owned(),
            true,
            "Conflict { .. }".to_owned(),
        ),
        (
            "    /// The input breaks a rule.\n    Invalid(String),".to_owned(),
            format!("Self::Invalid(reason) => write!(f, \"invalid {lower}: {{reason}}\"),"),
            "Invalid(\"empty\".to_owned())".to_owned(),
            false,
            "Invalid(_)".to_owned(),
        ),
        (
            "    /// A call took too long.\n    Timeout { after_ms: u64 },".to_owned(),
            "Self::Timeout { after_ms } => write!(f, \"timed out after {after_ms} ms\"),".to_owned(),
            "Timeout { after_ms: 3000 }".to_owned(),
            true,
            "Timeout { .. }".to_owned(),
        ),
        (
            "    /// The downstream service asked us to slow down.
    Throttled { retry_after_secs: u32 },".to_owned(),
            "Self::Throttled { retry_after_secs } => write!(f, \"throttled; retry in {retry_after_secs} s\"),".to_owned(),
            "Throttled { retry_after_secs: 2 }".to_owned(),
            true,
            "Throttled { .. }".to_owned(),
        ),
        (
            "    /// A dependency is down.\n    Unavailable(String),".to_owned(),
            "Self::Unavailable(service) => write!(f, \"{service} is unavailable\"),".to_owned(),
            "Unavailable(\"store\".to_owned())".to_owned(),
            true,
            "Unavailable(_)".to_owned(),
        ),
        (
            "    /// The request was understood and refused.
    Rejected { reason: String, code: u16 },".to_owned(),
            "Self::Rejected { reason, code } => write!(f, \"rejected ({code}): {reason}\"),".to_owned(),
            "Rejected { reason: \"limit\".to_owned(), code: 409 }".to_owned(),
            false,
            "Rejected { .. }".to_owned(),
        ),
        (
            "    /// A message could not be decoded.\n    Decode(String),".to_owned(),
            "Self::Decode(detail) => write!(f, \"cannot decode the message: {detail}\"),".to_owned(),
            "Decode(\"eof\".to_owned())".to_owned(),
            false,
            "Decode(_)".to_owned(),
        ),
    ]
}

/// An error enum; `name` fixes its name (the crate's main error), otherwise one is made up.
fn error_filler(file: &mut RustFile, rng: &mut Rng, topic: &Subject, name: Option<&str>) -> FillerOutput {
    let name = match name {
        Some(name) => file.unique(name, &["Kind"]),
        None => {
            let suffix = rng.pick(&["Error", "Failure", "Problem"]);
            file.unique(&format!("{}{suffix}", topic.entity.pascal()), &["Kind", "Detail"])
        }
    };
    let all = error_variants(&topic.entity);
    let count = rng.range(3, 6);
    let chosen = rng.sample(&all, count);
    let doing = rng.pick(&[
        "while handling",
        "when storing",
        "when validating",
        "when publishing",
        "when looking up",
    ]);
    let mut text = format!(
        "/// What can go wrong {doing} {}.\n#[derive(Debug, Clone, PartialEq, Eq)]\npub enum {name} {{\n",
        topic.entity.plural.replace('_', " ")
    );
    for (declaration, ..) in &chosen {
        let _ = writeln!(text, "{declaration}");
    }
    text.push_str("}\n\n");
    let _ = writeln!(
        text,
        "impl fmt::Display for {name} {{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {{
        match self {{"
    );
    for (_, arm, ..) in &chosen {
        let _ = writeln!(text, "            {arm}");
    }
    text.push_str("        }\n    }\n}\n\n");
    let _ = writeln!(text, "impl std::error::Error for {name} {{}}");
    let retryable: Vec<String> =
        chosen.iter().filter(|variant| variant.3).map(|variant| format!("Self::{}", variant.4)).collect();
    let mut tests = vec![format!(
        "#[test]
fn {}_messages_say_what_happened() {{
    let error = {name}::{};
    assert!(!error.to_string().is_empty());
}}
",
        snake(&name),
        chosen[0].2
    )];
    if !retryable.is_empty() {
        let _ = write!(
            text,
            "
impl {name} {{
    /// Whether trying again later may succeed.
    pub fn is_retryable(&self) -> bool {{
        matches!(self, {})
    }}
}}
",
            retryable.join(" | ")
        );
        if let Some(variant) = chosen.iter().find(|variant| variant.3) {
            tests.push(format!(
                "#[test]\nfn {}_{}_is_retryable() {{\n    assert!({name}::{}.is_retryable());\n}}\n",
                snake(&name),
                snake(variant.4.split([' ', '(']).next().unwrap_or("x")),
                variant.2
            ));
        }
    }
    (text, tests, vec!["std::fmt"])
}

fn store_filler(file: &mut RustFile, rng: &mut Rng, topic: &Subject) -> FillerOutput {
    let suffix = rng.pick(&["Store", "Lookup", "Directory", "Registry", "Cache", "Source"]);
    let name = file.unique(&format!("{}{suffix}", topic.entity.pascal()), &["Backend", "Index"]);
    let memory = file.unique(&format!("InMemory{name}"), &["Impl"]);
    let (value, getter, a, b) = if rng.percent(50) {
        ("u64", ".copied()", rng.range(1, 99).to_string(), rng.range(100, 999).to_string())
    } else {
        ("String", ".cloned()", "\"first\".to_owned()".to_owned(), "\"second\".to_owned()".to_owned())
    };
    let plural = topic.entity.plural.replace('_', " ");
    let text = fill(
        "/// Where @plural@ are looked up by key. The handler depends on this trait only, so tests
/// and local runs can use [`@memory@`].
pub trait @name@ {
    /// The value stored under `key`, if any.
    fn get(&self, key: &str) -> Option<@value@>;

    /// The values of `keys` that are present, in the order of `keys`.
    fn get_many(&self, keys: &[&str]) -> Vec<@value@> {
        keys.iter().filter_map(|key| self.get(key)).collect()
    }

    /// Whether `key` is present.
    fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
}

/// [`@name@`] held in memory.
#[derive(Debug, Default, Clone)]
pub struct @memory@ {
    entries: BTreeMap<String, @value@>,
}

impl @memory@ {
    /// Stores `value` under `key`, returning what was there before.
    pub fn insert(&mut self, key: impl Into<String>, value: @value@) -> Option<@value@> {
        self.entries.insert(key.into(), value)
    }

    /// Removes what is stored under `key`.
    pub fn remove(&mut self, key: &str) -> Option<@value@> {
        self.entries.remove(key)
    }

    /// How many entries are stored.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl @name@ for @memory@ {
    fn get(&self, key: &str) -> Option<@value@> {
        self.entries.get(key)@getter@
    }
}
",
        &[("plural", &plural), ("name", &name), ("memory", &memory), ("value", value), ("getter", getter)],
    );
    let test = fill(
        "#[test]
fn @snake@_returns_what_was_stored() {
    let mut store = @memory@::default();
    store.insert(\"a\", @a@);
    store.insert(\"b\", @b@);
    assert_eq!(store.get_many(&[\"a\", \"missing\", \"b\"]), vec![@a@, @b@]);
    assert!(!store.contains(\"missing\"));
    assert_eq!(store.len(), 2);
}
",
        &[("snake", &snake(&memory)), ("memory", &memory), ("a", &a), ("b", &b)],
    );
    (text, vec![test], vec!["std::collections::BTreeMap"])
}

/// Generic helpers: name stem, doc, code, test (`@name@` is the function, `@what@` the things).
const HELPERS: &[(&str, &str, &str, &str)] = &[
    (
        "batch_@plural@",
        "Splits @what@ into batches of at most `size`, the most one downstream call takes.",
        "pub fn @name@<T: Clone>(items: &[T], size: usize) -> Vec<Vec<T>> {
    if size == 0 {
        return vec![items.to_vec()];
    }
    items.chunks(size).map(<[T]>::to_vec).collect()
}
",
        "assert_eq!(@name@(&[1, 2, 3, 4, 5], 2), vec![vec![1, 2], vec![3, 4], vec![5]]);
assert_eq!(@name@(&[1, 2], 0), vec![vec![1, 2]]);",
    ),
    (
        "group_@plural@_by",
        "Groups @what@ by the key `key` gives, keeping their order within each group.",
        "pub fn @name@<T, K, F>(items: &[T], key: F) -> BTreeMap<K, Vec<&T>>
where
    K: Ord,
    F: Fn(&T) -> K,
{
    let mut groups: BTreeMap<K, Vec<&T>> = BTreeMap::new();
    for item in items {
        groups.entry(key(item)).or_default().push(item);
    }
    groups
}
",
        "let groups = @name@(&[\"apple\", \"avocado\", \"banana\"], |word| word.chars().next());
assert_eq!(groups.len(), 2);
assert_eq!(groups[&Some('a')], vec![&\"apple\", &\"avocado\"]);",
    ),
    (
        "distinct_@plural@",
        "@What@ without repeats; the first of each is kept, in order.",
        "pub fn @name@<T: Ord + Clone>(items: &[T]) -> Vec<T> {
    let mut seen = BTreeSet::new();
    items.iter().filter(|item| seen.insert((*item).clone())).cloned().collect()
}
",
        "assert_eq!(@name@(&[3, 1, 3, 2, 1]), vec![3, 1, 2]);",
    ),
    (
        "@entity@_latency_percentile",
        "The `percent`th percentile (nearest rank) of the latencies of @what@, or None when there are none.",
        "pub fn @name@(values: &[u64], percent: u8) -> Option<u64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let rank = (usize::from(percent.min(100)) * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}
",
        "assert_eq!(@name@(&[5, 1, 4, 2, 3], 50), Some(3));\nassert_eq!(@name@(&[], 90), None);",
    ),
    (
        "rolling_@entity@_totals",
        "Sums of each run of `width` consecutive values, as the dashboards of @what@ show them.",
        "pub fn @name@(values: &[u64], width: usize) -> Vec<u64> {
    if width == 0 {
        return Vec::new();
    }
    values.windows(width).map(|window| window.iter().sum()).collect()
}
",
        "assert_eq!(@name@(&[1, 2, 3, 4], 2), vec![3, 5, 7]);\nassert!(@name@(&[1], 2).is_empty());",
    ),
    (
        "partition_@plural@",
        "Splits @what@ into those `keep` accepts and the rest, each in its original order.",
        "pub fn @name@<T, P>(items: Vec<T>, keep: P) -> (Vec<T>, Vec<T>)
where
    P: Fn(&T) -> bool,
{
    items.into_iter().partition(|item| keep(item))
}
",
        "let (even, odd) = @name@(vec![1, 2, 3, 4], |n| n % 2 == 0);
assert_eq!(even, vec![2, 4]);
assert_eq!(odd, vec![1, 3]);",
    ),
    (
        "@entity@_retry_delay_ms",
        "How long to wait before attempt `attempt` (from 1) on @what@: doubling from `base_ms`, never more than `cap_ms`.",
        "pub fn @name@(attempt: u32, base_ms: u64, cap_ms: u64) -> u64 {
    let exponent = attempt.saturating_sub(1).min(@cap@);
    base_ms.saturating_mul(1_u64 << exponent).min(cap_ms)
}
",
        "assert_eq!(@name@(1, 100, 10_000), 100);
assert_eq!(@name@(3, 100, 10_000), 400);
assert_eq!(@name@(40, 100, 10_000), 10_000);",
    ),
    (
        "normalize_@entity@_key",
        "A key for @what@ as people type it: trimmed, lower case, and nothing but letters, digits and `-`.",
        "pub fn @name@(raw: &str) -> String {
    raw.trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}
",
        "assert_eq!(@name@(\"  Ab-C d!\"), \"ab-cd\");\nassert_eq!(@name@(\"\"), \"\");",
    ),
    (
        "merge_@entity@_counts",
        "Adds the counts of `extra` to those of `base`; keys of either are kept.",
        "pub fn @name@(base: &BTreeMap<String, u64>, extra: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    let mut merged = base.clone();
    for (key, count) in extra {
        *merged.entry(key.clone()).or_insert(0) += count;
    }
    merged
}
",
        "let base = BTreeMap::from([(\"a\".to_owned(), 1)]);
let extra = BTreeMap::from([(\"a\".to_owned(), 2), (\"b\".to_owned(), 5)]);
assert_eq!(@name@(&base, &extra), BTreeMap::from([(\"a\".to_owned(), 3), (\"b\".to_owned(), 5)]));",
    ),
    (
        "top_@plural@",
        "The `n` @what@ with the highest score, best first; ties keep their order.",
        "pub fn @name@<T: Clone>(items: &[(T, u64)], n: usize) -> Vec<T> {
    let mut ranked: Vec<&(T, u64)> = items.iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1));
    ranked.into_iter().take(n).map(|(item, _)| item.clone()).collect()
}
",
        "assert_eq!(@name@(&[(\"a\", 1), (\"b\", 5), (\"c\", 3)], 2), vec![\"b\", \"c\"]);",
    ),
    (
        "parse_@entity@_attributes",
        "Reads `key=value` pairs separated by `;`, as @what@ carry them in headers; malformed pairs are skipped.",
        "pub fn @name@(text: &str) -> BTreeMap<String, String> {
    text.split(';')
        .filter_map(|pair| pair.split_once('='))
        .map(|(key, value)| (key.trim().to_owned(), value.trim().to_owned()))
        .filter(|(key, _)| !key.is_empty())
        .collect()
}
",
        "let parsed = @name@(\"a=1; b = two;broken;=x\");
assert_eq!(parsed.len(), 2);
assert_eq!(parsed[\"b\"], \"two\");",
    ),
    (
        "@entity@_checksum",
        "A cheap checksum (FNV-1a) over the bytes of @what@, to spot duplicates without storing them.",
        "pub fn @name@(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
",
        "assert_eq!(@name@(b\"\"), 0xcbf2_9ce4_8422_2325);\nassert_ne!(@name@(b\"a\"), @name@(b\"b\"));",
    ),
];

fn helper_filler(file: &mut RustFile, rng: &mut Rng, topic: &Subject) -> FillerOutput {
    let (stem, doc, code, test) = *rng.pick(HELPERS);
    let wanted = fill(stem, &[("plural", &topic.entity.plural), ("entity", &topic.entity.snake)]);
    let name = file.unique(&wanted, &["_v2", "_checked", "_all"]);
    let what = topic.entity.plural.replace('_', " ");
    let capital = pascal_to_sentence(&what);
    let cap = rng.range(16, 30).to_string();
    let vars =
        [("name", name.as_str()), ("what", what.as_str()), ("What", capital.as_str()), ("cap", cap.as_str())];
    let text = format!("/// {}\n{}", fill(doc, &vars), fill(code, &vars));
    let body = fill(test, &vars);
    let test = format!("#[test]\nfn {name}_works() {{\n{}}}\n", indent(&body, 4));
    let mut uses = Vec::new();
    if code.contains("BTreeMap") {
        uses.push("std::collections::BTreeMap");
    }
    if code.contains("BTreeSet") {
        uses.push("std::collections::BTreeSet");
    }
    let tests = if rng.percent(75) { vec![test] } else { Vec::new() };
    (text, tests, uses)
}

fn async_filler(file: &mut RustFile, rng: &mut Rng, topic: &Subject) -> FillerOutput {
    let entity = &topic.entity;
    if rng.percent(50) {
        let name = file.unique(&format!("with_{}_retries", entity.snake), &["_v2", "_bounded"]);
        let text = fill(
            "/// Runs `operation` until it succeeds or `max_attempts` attempts have failed, for calls about
/// @what@ that fail now and then. `operation` gets the attempt number, from 1.
pub async fn @name@<T, E, F, Fut>(mut operation: F, max_attempts: u32) -> Result<T, E>
where
    F: FnMut(u32) -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let mut attempt = 1;
    loop {
        match operation(attempt).await {
            Ok(value) => return Ok(value),
            Err(error) if attempt >= max_attempts => return Err(error),
            Err(_) => attempt += 1,
        }
    }
}
",
            &[("name", &name), ("what", &entity.plural.replace('_', " "))],
        );
        (text, Vec::new(), Vec::new())
    } else {
        let name = file.unique(&format!("lookup_{}", entity.plural), &["_known", "_present"]);
        let text = fill(
            "/// Looks up each of `ids` with `lookup` in turn and keeps the @what@ it knows, by id.
pub async fn @name@<F, Fut>(ids: &[String], lookup: F) -> BTreeMap<String, u64>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Option<u64>>,
{
    let mut found = BTreeMap::new();
    for id in ids {
        if let Some(value) = lookup(id.clone()).await {
            found.insert(id.clone(), value);
        }
    }
    found
}
",
            &[("name", &name), ("what", &entity.plural.replace('_', " "))],
        );
        (text, Vec::new(), vec!["std::collections::BTreeMap"])
    }
}

fn pages_filler(file: &mut RustFile, rng: &mut Rng, topic: &Subject) -> FillerOutput {
    let name = file.unique(&format!("{}Pages", topic.entity.pascal()), &["Iter", "Chunks"]);
    let default_size = rng.pick(&["25", "50", "100", "200"]);
    let text = fill(
        "/// Walks @what@ page by page, as list endpoints return them.
#[derive(Debug, Clone)]
pub struct @name@<'a, T> {
    items: &'a [T],
    size: usize,
    position: usize,
}

impl<'a, T> @name@<'a, T> {
    /// The default page size.
    pub const DEFAULT_SIZE: usize = @size@;

    /// Pages of `size` items (at least one) over `items`.
    pub fn new(items: &'a [T], size: usize) -> Self {
        Self { items, size: size.max(1), position: 0 }
    }

    /// How many pages there are in all.
    pub fn page_count(&self) -> usize {
        self.items.len().div_ceil(self.size)
    }
}

impl<'a, T> Iterator for @name@<'a, T> {
    type Item = &'a [T];

    fn next(&mut self) -> Option<Self::Item> {
        if self.position >= self.items.len() {
            return None;
        }
        let end = (self.position + self.size).min(self.items.len());
        let page = &self.items[self.position..end];
        self.position = end;
        Some(page)
    }
}
",
        &[("name", &name), ("size", default_size), ("what", &topic.entity.plural.replace('_', " "))],
    );
    let test = fill(
        "#[test]
fn @snake@_cover_every_item_once() {
    let items: Vec<u32> = (0..7).collect();
    let pages: Vec<&[u32]> = @name@::new(&items, 3).collect();
    assert_eq!(pages, vec![&[0, 1, 2][..], &[3, 4, 5][..], &[6][..]]);
    assert_eq!(@name@::new(&items, 3).page_count(), 3);
}
",
        &[("name", &name), ("snake", &snake(&name))],
    );
    (text, vec![test], Vec::new())
}

fn stats_filler(file: &mut RustFile, _rng: &mut Rng, topic: &Subject) -> FillerOutput {
    let name = file.unique(&format!("{}Stats", topic.entity.pascal()), &["Totals", "Tally"]);
    let text = fill(
        "/// Running figures over @what@: how many, their sum, the smallest and the largest.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct @name@ {
    /// How many values were recorded.
    pub count: u64,
    /// Their sum, saturating.
    pub total: u64,
    /// The smallest, once there is one.
    pub min: Option<u64>,
    /// The largest, once there is one.
    pub max: Option<u64>,
}

impl @name@ {
    /// Records one value.
    pub fn record(&mut self, value: u64) {
        self.count += 1;
        self.total = self.total.saturating_add(value);
        self.min = Some(self.min.map_or(value, |min| min.min(value)));
        self.max = Some(self.max.map_or(value, |max| max.max(value)));
    }

    /// The mean, rounded down; None before the first value.
    pub fn mean(&self) -> Option<u64> {
        self.total.checked_div(self.count)
    }

    /// Both figures together, as if all values had been recorded here.
    pub fn merge(self, other: Self) -> Self {
        Self {
            count: self.count + other.count,
            total: self.total.saturating_add(other.total),
            min: self.min.into_iter().chain(other.min).min(),
            max: self.max.into_iter().chain(other.max).max(),
        }
    }
}

impl FromIterator<u64> for @name@ {
    fn from_iter<I: IntoIterator<Item = u64>>(values: I) -> Self {
        let mut stats = Self::default();
        for value in values {
            stats.record(value);
        }
        stats
    }
}
",
        &[("name", &name), ("what", &topic.entity.plural.replace('_', " "))],
    );
    let test = fill(
        "#[test]
fn @snake@_sum_up() {
    let stats: @name@ = [4, 1, 7].into_iter().collect();
    assert_eq!((stats.count, stats.total, stats.min, stats.max), (3, 12, Some(1), Some(7)));
    assert_eq!(stats.mean(), Some(4));
    assert_eq!(@name@::default().mean(), None);
}
",
        &[("name", &name), ("snake", &snake(&name))],
    );
    (text, vec![test], Vec::new())
}

fn constants_filler(file: &mut RustFile, rng: &mut Rng, topic: &Subject) -> FillerOutput {
    let entity = &topic.entity;
    let base = upper(&entity.snake);
    let prefix = file.unique(&format!("{base}_KEY_PREFIX"), &["_V2", "_ALT"]);
    let max = file.unique(&format!("MAX_{}_PER_REQUEST", upper(&entity.plural)), &["_V2", "_ALT"]);
    let ttl = file.unique(&format!("{base}_TTL_SECS"), &["_V2", "_ALT"]);
    let known = file.unique(&format!("KNOWN_{base}_SOURCES"), &["_V2", "_ALT"]);
    let count = rng.range(2, 5);
    let sources = rng.sample(&["web", "app", "store", "partner", "import", "support", "batch", "api"], count);
    let list = sources.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ");
    let text = format!(
        "/// The prefix of every {lower} key in the store.\npub const {prefix}: &str = \"{domain}/{snake}/\";\n\n\
         /// How many {plural} one request may carry.\npub const {max}: usize = {max_value};\n\n\
         /// How long a cached {lower} stays fresh, in seconds.\npub const {ttl}: u64 = {ttl_value};\n\n\
         /// Where {plural} may come from.\npub const {known}: &[&str] = &[{list}];\n",
        lower = entity.words(),
        plural = entity.plural.replace('_', " "),
        domain = topic.domain,
        snake = entity.snake,
        max_value = rng.pick(&["25", "100", "250", "500", "1_000"]),
        ttl_value = rng.pick(&["60", "300", "900", "3_600", "86_400"]),
    );
    let test = format!(
        "#[test]
fn {}_are_sane() {{
    assert!({prefix}.ends_with('/'));
    assert!({max} > 0);
    assert!(!{known}.is_empty());
}}
",
        known.to_ascii_lowercase()
    );
    let tests = if rng.percent(40) { vec![test] } else { Vec::new() };
    (text, tests, Vec::new())
}

// --- The events crate of a domain ----------------------------------------------------------------

/// A literal of a field type, for tests and samples.
fn literal(ty: Ty, field: &str, n: usize) -> String {
    match ty {
        Ty::Str if field == "correlation_id" => format!("\"corr-{n:04}\".to_owned()"),
        Ty::Str => format!("\"{}-{n}\".to_owned()", field.replace('_', "-")),
        Ty::U32 => (n % 90 + 1).to_string(),
        Ty::U64 => ((n % 900 + 1) * 10).to_string(),
        Ty::I64 => format!("-{}", n % 500 + 1),
        Ty::Bool => "true".to_owned(),
        Ty::OptStr => format!("Some(\"{}\".to_owned())", field.replace('_', " ")),
        Ty::OptU64 => format!("Some({})", n % 60 + 1),
        Ty::VecStr => "vec![\"first\".to_owned(), \"second\".to_owned()]".to_owned(),
        Ty::Money => format!("Money::new({}, \"EUR\")", (n % 90 + 1) * 125),
        Ty::Lines => "vec![LineItem::new(\"SKU-1\", 2, Money::new(500, \"EUR\"))]".to_owned(),
        Ty::Address => "Address::default()".to_owned(),
    }
}

fn field_declaration(field: &Field, indent_by: usize, public: bool) -> String {
    let pad = " ".repeat(indent_by);
    let mut out = format!("{pad}/// {}\n", field.doc);
    match field.ty {
        Ty::OptStr | Ty::OptU64 => {
            let _ = writeln!(out, "{pad}#[serde(default, skip_serializing_if = \"Option::is_none\")]");
        }
        Ty::VecStr | Ty::Lines => {
            let _ = writeln!(out, "{pad}#[serde(default)]");
        }
        _ => {}
    }
    let _ = writeln!(out, "{pad}{}{}: {},", if public { "pub " } else { "" }, field.name, field.ty.rust());
    out
}

/// The Rust of one `#[event]` type, its test, and the common types it uses.
fn event_item(spec: &EventSpec, rng: &mut Rng, n: usize) -> (String, String, BTreeSet<&'static str>) {
    let rust = spec.rust.clone().unwrap_or_default();
    let mut common = BTreeSet::new();
    let mut text = format!("/// {}\n{}\n", spec.doc, spec.attribute);
    let sample = match &spec.shape {
        Shape::Struct(fields) => {
            text.push_str("#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]\n");
            let _ = writeln!(text, "pub struct {rust} {{");
            for field in fields {
                common.extend(field.ty.common());
                text.push_str(&field_declaration(field, 4, true));
            }
            text.push_str("}\n\n");
            let _ = write!(
                text,
                "impl DomainEvent for {rust} {{
    const NAME: &'static str = \"{}\";

    fn correlation_id(&self) -> &str {{
        &self.correlation_id
    }}
}}
",
                spec.name
            );
            let id =
                fields.iter().find(|field| field.name.ends_with("_id") && field.name != "correlation_id");
            if let Some(id) = id
                && rng.percent(50)
            {
                let _ = write!(
                    text,
                    "
impl {rust} {{
    /// {a} `{rust}` for `{id}` in the chain `correlation_id`; the other fields at their defaults.
    pub fn new(correlation_id: impl Into<String>, {id}: impl Into<String>) -> Self {{
        Self {{
            correlation_id: correlation_id.into(),
            {id}: {id}.into(),
            ..Self::default()
        }}
    }}
}}
",
                    a = if rust.starts_with(['A', 'E', 'I', 'O', 'U']) { "An" } else { "A" },
                    id = id.name
                );
            }
            let values: Vec<String> = fields
                .iter()
                .enumerate()
                .map(|(k, field)| {
                    format!("        {}: {},", field.name, literal(field.ty, &field.name, n + k))
                })
                .collect();
            format!("{rust} {{\n{}\n    }}", values.join("\n"))
        }
        Shape::Enum(variants) => {
            text.push_str("#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]\n");
            text.push_str("#[serde(tag = \"outcome\", rename_all = \"snake_case\")]\n");
            let _ = writeln!(text, "pub enum {rust} {{");
            for (variant, doc, fields) in variants {
                let _ = writeln!(text, "    /// {doc}\n    {variant} {{");
                for field in fields {
                    common.extend(field.ty.common());
                    text.push_str(&field_declaration(field, 8, false));
                }
                text.push_str("    },\n");
            }
            text.push_str("}\n\n");
            let arms = variants
                .iter()
                .map(|(variant, ..)| format!("Self::{variant} {{ correlation_id, .. }}"))
                .collect::<Vec<_>>();
            let _ = write!(
                text,
                "impl DomainEvent for {rust} {{
    const NAME: &'static str = \"{}\";

    fn correlation_id(&self) -> &str {{
        match self {{
            {} => correlation_id,
        }}
    }}
}}
",
                spec.name,
                arms.join("\n            | ")
            );
            let (variant, _, fields) = &variants[0];
            let values: Vec<String> = fields
                .iter()
                .enumerate()
                .map(|(k, field)| {
                    format!("        {}: {},", field.name, literal(field.ty, &field.name, n + k))
                })
                .collect();
            format!("{rust}::{variant} {{\n{}\n    }}", values.join("\n"))
        }
        Shape::Untyped => String::new(),
    };
    let test = format!(
        "#[test]
fn {}_round_trips_through_json() {{
    let event = {sample};
    let json = serde_json::to_string(&event).unwrap();
    assert_eq!(serde_json::from_str::<{rust}>(&json).unwrap(), event);
    assert_eq!({rust}::NAME, \"{}\");
}}
",
        snake(&rust),
        spec.name
    );
    (text, test, common)
}

fn write_events_crate(plan: &Plan, domain: &Domain, seed: u64, files: &mut BTreeMap<String, String>) {
    let dir = format!("{}/events", domain.dir);
    let package = domain.events_crate();
    let mut rng = Rng::new(seed, &format!("crate:{package}"));
    let domain_words = words(&domain.name);
    let dependencies: BTreeSet<String> =
        ["flowdoc-annotations", "serde", "serde_json"].iter().map(|s| (*s).to_owned()).collect();
    files.insert(
        format!("{dir}/Cargo.toml"),
        package_manifest(&package, &format!("The events of the {domain_words} domain."), &dependencies),
    );
    let mut modules: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for &event in &domain.events {
        modules.entry(plan.events[event].entity.snake.clone()).or_default().push(event);
    }
    let subject = Subject { entity: domain.entity_pool[0].clone(), domain: domain.name.clone() };

    // lib.rs
    let mut lib = RustFile::new(&fill(
        "The events of the @domain@ domain: what its services publish, with the fields consumers may
rely on. Every event carries the `correlation_id` of the request that started its chain, and
says its name through [`DomainEvent::NAME`].

Events travel as JSON. On topics and queues the message attribute [`EVENT_TYPE_ATTRIBUTE`]
names the event (subscription filter policies match it); on event buses the `detail-type` does,
with [`SOURCE`] as the `source`.",
        &[("domain", &domain_words)],
    ));
    for module in ["catalog", "common", "envelope", "testing"] {
        lib.add_mod(format!("pub mod {module};"));
    }
    for module in modules.keys() {
        lib.add_mod(format!("pub mod {module};"));
    }
    lib.add_mod(String::new());
    lib.add_mod("pub use common::{Address, LineItem, Money};".to_owned());
    lib.add_mod("pub use envelope::{DomainEvent, Envelope};".to_owned());
    for module in modules.keys() {
        lib.add_mod(format!("pub use {module}::*;"));
    }
    lib.item(
        "/// The message attribute that names the event a message carries.
pub const EVENT_TYPE_ATTRIBUTE: &str = \"event_type\";
"
        .to_owned(),
    );
    lib.item(format!(
        "/// The EventBridge `source` of the events of this domain.\npub const SOURCE: &str = \"{}\";\n",
        domain.name
    ));
    lib.item(
        "/// The message attribute that carries the correlation id.
pub const CORRELATION_ID_ATTRIBUTE: &str = \"correlation_id\";
"
        .to_owned(),
    );
    files.insert(format!("{dir}/src/lib.rs"), lib.render());

    // envelope.rs
    let mut envelope =
        RustFile::new("The envelope events travel in, and what every event of the domain says about itself.");
    envelope.add_use("serde::{Deserialize, Serialize}");
    envelope.add_use("std::collections::BTreeMap");
    envelope.item(ENVELOPE.to_owned());
    envelope.test(ENVELOPE_TEST.to_owned());
    files.insert(format!("{dir}/src/envelope.rs"), envelope.render());

    // common.rs
    let mut common = RustFile::new(&format!(
        "Values the events of the {domain_words} domain share: money, order lines, addresses."
    ));
    common.add_use("serde::{Deserialize, Serialize}");
    common.add_use("std::fmt");
    common.item(COMMON.to_owned());
    for test in COMMON_TESTS {
        common.test((*test).to_owned());
    }
    let target = target_lines(&mut rng);
    fill_file(&mut common, &mut rng, &subject, &[Filler::Status], target.min(260));
    files.insert(format!("{dir}/src/common.rs"), common.render());

    // catalog.rs
    let mut names: Vec<&str> = domain.events.iter().map(|&event| plan.events[event].name.as_str()).collect();
    names.sort_unstable();
    let mut catalog = RustFile::new(
        "Every event of the domain by name, for routing and for checks that nothing is missing.",
    );
    let list = names.iter().map(|name| format!("    \"{name}\",\n")).collect::<String>();
    catalog.item(format!(
        "/// The names of the domain's events, sorted.\npub const EVENT_NAMES: &[&str] = &[\n{list}];\n"
    ));
    catalog.item(
        "/// Whether `name` is an event of this domain.
pub fn is_known(name: &str) -> bool {
    EVENT_NAMES.binary_search(&name).is_ok()
}
"
        .to_owned(),
    );
    catalog.item(
        "/// The events whose name starts with `prefix`, as in `\"Order\"`.
pub fn with_prefix(prefix: &str) -> impl Iterator<Item = &'static str> + '_ {
    EVENT_NAMES.iter().copied().filter(move |name| name.starts_with(prefix))
}
"
        .to_owned(),
    );
    catalog.test(
        "#[test]
fn names_are_sorted_and_unique() {
    assert!(EVENT_NAMES.windows(2).all(|pair| pair[0] < pair[1]));
}
"
        .to_owned(),
    );
    if let Some(first) = names.first() {
        catalog.test(format!(
            "#[test]
fn knows_its_events() {{
    assert!(is_known(\"{first}\"));
    assert!(!is_known(\"NoSuchEvent\"));
}}
"
        ));
    }
    files.insert(format!("{dir}/src/catalog.rs"), catalog.render());

    // testing.rs
    let mut testing = RustFile::new("Helpers for the tests of the services that consume these events.");
    testing.add_use("crate::common::{LineItem, Money}");
    testing.item(fill(
        "/// A correlation id for tests: a fixed prefix and a number, so failures are easy to read.
pub fn correlation_id(n: u32) -> String {
    format!(\"corr-@domain@-{n:04}\")
}

/// `cents` in euros.
pub fn euros(cents: u64) -> Money {
    Money::new(cents, \"EUR\")
}

/// `quantity` items of `sku` at one euro each.
pub fn line(sku: &str, quantity: u32) -> LineItem {
    LineItem::new(sku, quantity, euros(100))
}
",
        &[("domain", &domain.name)],
    ));
    testing.test(
        "#[test]
fn correlation_ids_differ() {
    assert_ne!(correlation_id(1), correlation_id(2));
    assert_eq!(line(\"A\", 3).total(), euros(300));
}
"
        .to_owned(),
    );
    files.insert(format!("{dir}/src/testing.rs"), testing.render());

    // One module per thing; a folder of modules for a thing with many events.
    let mut n = 1;
    for (module, events) in &modules {
        let entity = &plan.events[events[0]].entity;
        let about = format!("Events about {} in the {domain_words} domain", entity.plural.replace('_', " "));
        if events.len() <= EVENTS_PER_FILE {
            let text = events_module(plan, events, &format!("{about}."), &mut rng, &mut n);
            files.insert(format!("{dir}/src/{module}.rs"), text);
            continue;
        }
        let chunks: Vec<&[usize]> = events.chunks(EVENTS_PER_FILE).collect();
        let mut parent = RustFile::new(&format!("{about}, in groups."));
        for (index, chunk) in chunks.iter().enumerate() {
            let group =
                EVENT_GROUPS.get(index).map_or_else(|| format!("group_{index}"), |group| (*group).to_owned());
            parent.add_mod(format!("mod {group};"));
            let names =
                chunk.iter().map(|&event| format!("`{}`", plan.events[event].name)).collect::<Vec<_>>();
            let doc = format!("{about}: {}.", names.join(", "));
            let text = events_module(plan, chunk, &doc, &mut rng, &mut n);
            files.insert(format!("{dir}/src/{module}/{group}.rs"), text);
        }
        parent.add_mod(String::new());
        for index in 0..chunks.len() {
            let group =
                EVENT_GROUPS.get(index).map_or_else(|| format!("group_{index}"), |group| (*group).to_owned());
            parent.add_mod(format!("pub use self::{group}::*;"));
        }
        files.insert(format!("{dir}/src/{module}/mod.rs"), parent.render());
    }
}

/// At most this many events go in one file of an events crate.
const EVENTS_PER_FILE: usize = 6;

/// The files of a thing with more events than fit one.
const EVENT_GROUPS: &[&str] = &[
    "lifecycle",
    "workflow",
    "checks",
    "handover",
    "tracking",
    "reporting",
    "maintenance",
    "history",
    "integration",
];

/// A module of `#[event]` types, with their tests.
fn events_module(plan: &Plan, events: &[usize], doc: &str, rng: &mut Rng, n: &mut usize) -> String {
    {
        let mut file = RustFile::new(doc);
        let mut common_used = BTreeSet::new();
        let mut bare = false;
        for &event in events {
            let spec = &plan.events[event];
            let (item, test, common) = event_item(spec, rng, *n);
            *n += 7;
            bare |= spec.attribute.starts_with("#[event");
            common_used.extend(common);
            file.item(item);
            file.test(test);
        }
        if bare {
            file.add_use("flowdoc_annotations::event");
        }
        file.add_use("serde::{Deserialize, Serialize}");
        file.add_use("crate::envelope::DomainEvent");
        // Samples of `Vec<LineItem>` fields name `Money` too.
        if !common_used.contains("Money") && file.tests.iter().any(|test| test.contains("Money::")) {
            file.test_uses.insert("crate::common::Money".to_owned());
        }
        if !common_used.is_empty() {
            let list = common_used.iter().copied().collect::<Vec<_>>();
            if list.len() == 1 {
                file.add_use(&format!("crate::common::{}", list[0]));
            } else {
                file.add_use(&format!("crate::common::{{{}}}", list.join(", ")));
            }
        }
        file.render()
    }
}

const ENVELOPE: &str = "/// What every event of the domain says about itself.
pub trait DomainEvent {
    /// The event's name: its `event_type` attribute and EventBridge `detail-type`.
    const NAME: &'static str;

    /// The correlation id the event carries.
    fn correlation_id(&self) -> &str;
}

/// An event with the attributes it travels with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// The event's name.
    pub event_type: String,
    /// The EventBridge source.
    pub source: String,
    /// The correlation id, copied from the event so routing need not parse it.
    pub correlation_id: String,
    /// Extra message attributes.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// The event itself.
    pub detail: T,
}

impl<T: DomainEvent> Envelope<T> {
    /// Wraps `detail` with its name and correlation id.
    pub fn wrap(detail: T) -> Self {
        Self {
            event_type: T::NAME.to_owned(),
            source: crate::SOURCE.to_owned(),
            correlation_id: detail.correlation_id().to_owned(),
            attributes: BTreeMap::new(),
            detail,
        }
    }

    /// Adds a message attribute.
    pub fn with_attribute(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.insert(name.into(), value.into());
        self
    }

    /// The message attributes to send: the event type, the correlation id and the extras.
    pub fn message_attributes(&self) -> BTreeMap<String, String> {
        let mut attributes = self.attributes.clone();
        attributes.insert(crate::EVENT_TYPE_ATTRIBUTE.to_owned(), self.event_type.clone());
        attributes.insert(crate::CORRELATION_ID_ATTRIBUTE.to_owned(), self.correlation_id.clone());
        attributes
    }
}

impl<T: Serialize> Envelope<T> {
    /// The envelope as JSON.
    pub fn to_json(&self) -> serde_json::Result<String> {
        serde_json::to_string(self)
    }
}
";

const ENVELOPE_TEST: &str = "#[derive(Debug, Clone, PartialEq, Serialize)]
struct Ping {
    correlation_id: String,
}

impl DomainEvent for Ping {
    const NAME: &'static str = \"Ping\";

    fn correlation_id(&self) -> &str {
        &self.correlation_id
    }
}

#[test]
fn envelopes_carry_the_name_and_the_correlation_id() {
    let envelope = Envelope::wrap(Ping { correlation_id: \"c-1\".into() }).with_attribute(\"tenant\", \"t-9\");
    let attributes = envelope.message_attributes();
    assert_eq!(attributes[crate::EVENT_TYPE_ATTRIBUTE], \"Ping\");
    assert_eq!(attributes[crate::CORRELATION_ID_ATTRIBUTE], \"c-1\");
    assert_eq!(attributes[\"tenant\"], \"t-9\");
    assert!(envelope.to_json().unwrap().contains(\"\\\"detail\\\"\"));
}
";

const COMMON: &str = "/// An amount of money in the smallest unit of its currency.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// The amount in cents (or the currency's smallest unit).
    pub amount_cents: u64,
    /// The ISO 4217 code, as in `EUR`.
    pub currency: String,
}

impl Money {
    /// `amount_cents` of `currency`.
    pub fn new(amount_cents: u64, currency: &str) -> Self {
        Self { amount_cents, currency: currency.to_owned() }
    }

    /// The sum of two amounts; None when the currencies differ or the sum overflows.
    pub fn checked_add(&self, other: &Money) -> Option<Money> {
        if self.currency != other.currency {
            return None;
        }
        Some(Money { amount_cents: self.amount_cents.checked_add(other.amount_cents)?, currency: self.currency.clone() })
    }

    /// `factor` times the amount, saturating.
    pub fn times(&self, factor: u32) -> Money {
        Money { amount_cents: self.amount_cents.saturating_mul(u64::from(factor)), currency: self.currency.clone() }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, \"{}.{:02} {}\", self.amount_cents / 100, self.amount_cents % 100, self.currency)
    }
}

/// One line of something ordered, billed or shipped.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineItem {
    /// The product's stock-keeping unit.
    pub sku: String,
    /// How many; at least 1.
    pub quantity: u32,
    /// The price of one.
    pub unit_price: Money,
}

impl LineItem {
    /// `quantity` of `sku` at `unit_price` each.
    pub fn new(sku: &str, quantity: u32, unit_price: Money) -> Self {
        Self { sku: sku.to_owned(), quantity, unit_price }
    }

    /// What the line comes to.
    pub fn total(&self) -> Money {
        self.unit_price.times(self.quantity)
    }
}

/// The sum of the lines' totals; None when they mix currencies or there are none.
pub fn total_of(lines: &[LineItem]) -> Option<Money> {
    let mut totals = lines.iter().map(LineItem::total);
    let first = totals.next()?;
    totals.try_fold(first, |sum, line| sum.checked_add(&line))
}

/// A postal address.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// Who receives things there.
    pub name: String,
    /// Street, number, floor: one entry per printed line.
    pub lines: Vec<String>,
    /// The postal code, as written in the country.
    pub postal_code: String,
    /// The city or town.
    pub city: String,
    /// The ISO 3166-1 alpha-2 code, as in `DE`.
    pub country: String,
}

impl Address {
    /// Whether a carrier could deliver to it.
    pub fn is_complete(&self) -> bool {
        !self.name.is_empty() && !self.lines.is_empty() && !self.city.is_empty() && self.country.len() == 2
    }

    /// The address on one line, for logs and labels.
    pub fn single_line(&self) -> String {
        let mut parts: Vec<&str> = vec![self.name.as_str()];
        parts.extend(self.lines.iter().map(String::as_str));
        parts.extend([self.postal_code.as_str(), self.city.as_str(), self.country.as_str()]);
        parts.into_iter().filter(|part| !part.is_empty()).collect::<Vec<_>>().join(\", \")
    }
}
";

const COMMON_TESTS: &[&str] = &[
    "#[test]
fn money_adds_within_a_currency() {
    let a = Money::new(150, \"EUR\");
    assert_eq!(a.checked_add(&Money::new(50, \"EUR\")), Some(Money::new(200, \"EUR\")));
    assert_eq!(a.checked_add(&Money::new(50, \"USD\")), None);
    assert_eq!(a.to_string(), \"1.50 EUR\");
}
",
    "#[test]
fn totals_of_lines() {
    let lines = [LineItem::new(\"A\", 2, Money::new(250, \"EUR\")), LineItem::new(\"B\", 1, Money::new(100, \"EUR\"))];
    assert_eq!(total_of(&lines), Some(Money::new(600, \"EUR\")));
    assert_eq!(total_of(&[]), None);
}
",
    "#[test]
fn addresses_on_one_line() {
    let address = Address {
        name: \"Ada\".into(),
        lines: vec![\"Main St 1\".into()],
        postal_code: \"10115\".into(),
        city: \"Berlin\".into(),
        country: \"DE\".into(),
    };
    assert!(address.is_complete());
    assert_eq!(address.single_line(), \"Ada, Main St 1, 10115, Berlin, DE\");
}
",
];

// --- The crate of a function ---------------------------------------------------------------------

/// Ordinary modules: name, doc (`@things@`), the fillers they start with.
const MODULES: &[(&str, &str, &[Filler])] = &[
    (
        "model",
        "The @thing@ model: the values this service works with and the rules they follow.",
        &[Filler::Record, Filler::Status],
    ),
    (
        "store",
        "Storage of @things@: the trait the handler uses and an in-memory implementation for tests.",
        &[Filler::Store, Filler::Record],
    ),
    ("retry", "Retries and back-off for calls to other services.", &[Filler::AsyncHelper, Filler::Helper]),
    (
        "metrics",
        "Figures this service reports, and the helpers that compute them.",
        &[Filler::Stats, Filler::Helper],
    ),
    (
        "batch",
        "Splitting work on @things@ into pieces downstream services accept.",
        &[Filler::Pages, Filler::Helper],
    ),
    (
        "validate",
        "Checks on incoming @things@ before anything is stored or sent.",
        &[Filler::Error, Filler::Helper],
    ),
    (
        "telemetry",
        "Logging conventions: field names, levels, and what is never logged.",
        &[Filler::Constants, Filler::Helper],
    ),
    (
        "policy",
        "Business rules about @things@, kept apart from I/O so they are easy to test.",
        &[Filler::Record, Filler::Status, Filler::Helper],
    ),
    (
        "cache",
        "A small read-through cache in front of slow lookups of @things@.",
        &[Filler::Store, Filler::Stats],
    ),
    ("report", "What the service tells operators about @things@.", &[Filler::Record, Filler::Stats]),
    ("routing", "Which @thing@ goes where, decided from its attributes.", &[Filler::Status, Filler::Helper]),
];

/// Child modules of a module kept in a folder.
const CHILDREN: &[&str] = &["memory", "keys", "rules", "types", "checks", "format", "limits", "convert"];

/// A module of a crate: its name, doc, starting fillers and children.
#[derive(Clone, Debug)]
struct ModulePlan {
    name: String,
    doc: String,
    fillers: Vec<Filler>,
    children: Vec<String>,
    /// `mod.rs` in its folder, rather than `name.rs` beside the folder.
    mod_rs: bool,
}

fn file_count(rng: &mut Rng) -> usize {
    match rng.below(100) {
        0..=24 => 5,
        25..=54 => 6,
        55..=79 => 7,
        80..=91 => 8,
        _ => 9,
    }
}

fn write_service_crate(
    plan: &Plan,
    domain: &Domain,
    function: &Function,
    seed: u64,
    files: &mut BTreeMap<String, String>,
) {
    let dir = format!("{}/{}", domain.dir, function.dir);
    let mut rng = Rng::new(seed, &format!("crate:{}", function.package));
    let subject = Subject { entity: function.entity.clone(), domain: domain.name.clone() };
    let things = function.entity.plural.replace('_', " ");
    let thing = function.entity.words();

    // Dependencies: the events crates of the typed events it names.
    let mut dependencies: BTreeSet<String> = ["lambda_runtime", "serde", "serde_json", "tokio", "tracing"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    if !function.consumes.is_empty() || !function.produces.is_empty() {
        dependencies.insert("flowdoc-annotations".to_owned());
    }
    let typed = function
        .consumes
        .iter()
        .map(|c| c.event)
        .chain(function.produces.iter().map(|p| p.event))
        .filter(|&event| plan.events[event].rust.is_some());
    for event in typed {
        dependencies.insert(plan.domains[plan.events[event].domain].events_crate());
    }
    files.insert(
        format!("{dir}/Cargo.toml"),
        package_manifest(&function.package, &function.description, &dependencies),
    );

    // Layout.
    let with_lib = rng.percent(30);
    let handler_module = *rng.pick(&["handler", "handler", "handler", "lambda", "entry"]);
    let wanted_files = file_count(&mut rng);
    let mut count = 4 + usize::from(with_lib);
    let mut kinds: Vec<&(&str, &str, &[Filler])> = MODULES.iter().collect();
    rng.shuffle(&mut kinds);
    let mut modules = Vec::new();
    while count < wanted_files {
        let Some((name, doc, fillers)) = kinds.pop() else { break };
        let room = wanted_files - count;
        let children = if room >= 3 && rng.percent(40) { rng.range(1, 2.min(room - 1)) } else { 0 };
        let children = rng.sample(CHILDREN, children).into_iter().map(str::to_owned).collect::<Vec<_>>();
        count += 1 + children.len();
        modules.push(ModulePlan {
            name: (*name).to_owned(),
            doc: fill(doc, &[("things", &things), ("thing", &thing)]),
            fillers: fillers.to_vec(),
            children,
            mod_rs: rng.percent(50),
        });
    }
    let mut top: Vec<String> = vec!["config".to_owned(), "error".to_owned(), handler_module.to_owned()];
    top.extend(modules.iter().map(|module| module.name.clone()));
    top.sort();

    // The root(s).
    let visibility = if with_lib { "pub " } else { "" };
    let root_doc = fill(
        "`@package@`: @description@

@trigger@ Built by cargo-lambda as the `@package@` binary; the function is `@id@` in the
domain's `template.yaml`.",
        &[
            ("package", &function.package),
            ("description", &function.description),
            ("trigger", &trigger_sentence(function)),
            ("id", &function.id),
        ],
    );
    let main_fn = fill(
        "/// Reads the configuration, then serves invocations until Lambda stops the function.
#[tokio::main(flavor = \"current_thread\")]
async fn main() -> Result<(), Error> {
    let config = config::Config::from_env()?;
    tracing::info!(service = config.service_name.as_str(), timeout_ms = config.request_timeout_ms, \"starting\");
    lambda_runtime::run(service_fn(@handler@::handle)).await
}
",
        &[("handler", handler_module)],
    );
    let mut root = RustFile::new(&root_doc);
    for module in &top {
        root.add_mod(format!("{visibility}mod {module};"));
    }
    if with_lib {
        let target = target_lines(&mut rng).min(200);
        fill_file(&mut root, &mut rng, &subject, &[Filler::Constants], target);
        files.insert(format!("{dir}/src/lib.rs"), root.render());
        let mut main = RustFile::new(&format!(
            "The Lambda binary of `{}`; the code is in the library.",
            function.package
        ));
        main.add_use(&format!("{}::{{config, {handler_module}}}", function.package.replace('-', "_")));
        main.add_use("lambda_runtime::{Error, service_fn}");
        main.item(main_fn);
        files.insert(format!("{dir}/src/main.rs"), main.render());
    } else {
        root.add_use("lambda_runtime::{Error, service_fn}");
        root.item(main_fn);
        let target = target_lines(&mut rng).min(220);
        fill_file(&mut root, &mut rng, &subject, &[], target);
        files.insert(format!("{dir}/src/main.rs"), root.render());
    }

    // config.rs and error.rs.
    files.insert(format!("{dir}/src/config.rs"), config_file(function, &subject, &mut rng));
    let mut error = RustFile::new(&format!(
        "The errors of `{}`: what goes wrong while handling {things}, and whether trying again may help.",
        function.package
    ));
    let (item, tests, uses) = error_filler(&mut error, &mut rng, &subject, Some("ServiceError"));
    for path in uses {
        error.add_use(path);
    }
    error.item(item);
    for test in tests {
        error.test(test);
    }
    let target = target_lines(&mut rng);
    fill_file(&mut error, &mut rng, &subject, &[Filler::Error], target);
    files.insert(format!("{dir}/src/error.rs"), error.render());

    // The handler.
    files.insert(format!("{dir}/src/{handler_module}.rs"), handler_file(plan, function, &subject, &mut rng));

    // Ordinary modules.
    for module in &modules {
        let mut file = RustFile::new(&module.doc);
        for child in &module.children {
            file.add_mod(format!("pub mod {child};"));
        }
        let target = target_lines(&mut rng);
        fill_file(&mut file, &mut rng, &subject, &module.fillers, target);
        let path = if module.children.is_empty() || !module.mod_rs {
            format!("{dir}/src/{}.rs", module.name)
        } else {
            format!("{dir}/src/{}/mod.rs", module.name)
        };
        files.insert(path, file.render());
        for child in &module.children {
            let doc = format!("{} of the `{}` module.", pascal_to_sentence(child), module.name);
            let mut file = RustFile::new(&doc);
            let target = target_lines(&mut rng);
            fill_file(&mut file, &mut rng, &subject, &[], target);
            files.insert(format!("{dir}/src/{}/{child}.rs", module.name), file.render());
        }
    }
}

fn trigger_sentence(function: &Function) -> String {
    let from = function.consumes.first().map(|c| c.from.clone()).unwrap_or_default();
    match &function.trigger {
        Trigger::Api(routes) => format!(
            "API Gateway invokes it for {}.",
            routes
                .iter()
                .map(|route| format!("`{} {}`", route.method.to_uppercase(), route.path))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Trigger::Stream => format!("It reads the stream of the `{from}` table in batches."),
        Trigger::Kinesis => format!("It reads the `{from}` Kinesis stream in batches."),
        Trigger::Queue => format!("It polls the `{from}` queue in batches."),
        Trigger::Sns => format!("The `{from}` topic invokes it, one message at a time."),
        Trigger::Bus => format!("EventBridge invokes it through `{from}`."),
        Trigger::Schedule(expression) => format!("EventBridge runs it on `{expression}`."),
    }
}

fn config_file(function: &Function, subject: &Subject, rng: &mut Rng) -> String {
    let mut file = RustFile::new(&format!(
        "The configuration of `{}`, read once at start-up from the environment SAM sets.",
        function.package
    ));
    file.add_use("std::fmt");
    let timeout = rng.pick(&["1_500", "3_000", "5_000", "8_000"]);
    let mut fields = String::new();
    let mut reads = String::new();
    for (var, value) in &function.env {
        let what = value.split_whitespace().nth(1).unwrap_or("the resource");
        let _ = writeln!(
            fields,
            "    /// `{var}`: set by the template from `{}`.\n    pub {}: String,",
            what.trim_matches('"'),
            var.to_ascii_lowercase()
        );
        let _ = writeln!(reads, "            {}: required(\"{var}\")?,", var.to_ascii_lowercase());
    }
    let required = if function.env.is_empty() {
        String::new()
    } else {
        "        let required =
            |name: &'static str| lookup(name).filter(|value| !value.is_empty()).ok_or(ConfigError::Missing(name));
".to_owned()
    };
    file.item(fill(
        "/// What the function needs to know about its surroundings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
@fields@    /// The name logs and metrics carry (`SERVICE_NAME`, default `@package@`).
    pub service_name: String,
    /// How long one downstream call may take, in milliseconds (`REQUEST_TIMEOUT_MS`).
    pub request_timeout_ms: u64,
}

/// Why the configuration could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// A required variable is not set, or empty.
    Missing(&'static str),
    /// A variable is set to something unusable.
    Invalid { name: &'static str, value: String },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing(name) => write!(f, \"the environment variable {name} is not set\"),
            Self::Invalid { name, value } => write!(f, \"{name} is set to `{value}`, which is not usable\"),
        }
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// The default of `request_timeout_ms`.
    pub const DEFAULT_TIMEOUT_MS: u64 = @timeout@;

    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup`, which gives a variable's value by name.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
@required@        let request_timeout_ms = match lookup(\"REQUEST_TIMEOUT_MS\") {
            Some(value) => value.parse().map_err(|_| ConfigError::Invalid { name: \"REQUEST_TIMEOUT_MS\", value })?,
            None => Self::DEFAULT_TIMEOUT_MS,
        };
        Ok(Self {
@reads@            service_name: lookup(\"SERVICE_NAME\").unwrap_or_else(|| \"@package@\".to_owned()),
            request_timeout_ms,
        })
    }
}
",
        &[("fields", &fields), ("package", &function.package), ("timeout", timeout), ("required", &required), ("reads", &reads)],
    ));
    let vars = function
        .env
        .iter()
        .map(|(var, _)| format!("(\"{var}\", \"value-of-{}\"), ", var.to_ascii_lowercase()))
        .collect::<String>();
    file.test(fill(
        "#[test]
fn reads_the_environment() {
    let vars = BTreeMap::from([@vars@(\"REQUEST_TIMEOUT_MS\", \"250\")]);
    let config = Config::from_lookup(|name| vars.get(name).map(|value| (*value).to_owned())).unwrap();
    assert_eq!(config.request_timeout_ms, 250);
    assert_eq!(config.service_name, \"@package@\");
}
",
        &[("vars", &vars), ("package", &function.package)],
    ));
    file.test_uses.insert("std::collections::BTreeMap".to_owned());
    file.test(
        "#[test]
fn rejects_a_timeout_that_is_not_a_number() {
    let error = Config::from_lookup(|name| (name == \"REQUEST_TIMEOUT_MS\").then(|| \"soon\".to_owned())).unwrap_err();
    assert!(matches!(error, ConfigError::Missing(_) | ConfigError::Invalid { .. }));
}
"
        .to_owned(),
    );
    if let Some((first, _)) = function.env.first() {
        file.test(format!(
            "#[test]
fn names_the_missing_variable() {{
    assert_eq!(Config::from_lookup(|_| None), Err(ConfigError::Missing(\"{first}\")));
}}
"
        ));
    }
    let target = target_lines(rng);
    fill_file(&mut file, rng, subject, &[], target);
    file.render()
}

// --- The handler file ----------------------------------------------------------------------------

/// One annotated piece of a handler: a function per consumed event, per route, or the job's run.
#[derive(Debug)]
struct HandlerItem {
    name: String,
    doc: String,
    consumes: Vec<Consume>,
    produces: Vec<Produce>,
    route: Option<Route>,
}

/// How the handler names events: by path, by imported name, or by string.
struct Names<'p> {
    plan: &'p Plan,
    short: bool,
}

impl Names<'_> {
    /// The first argument of an annotation.
    fn reference(&self, event: usize) -> String {
        let spec = &self.plan.events[event];
        match &spec.rust {
            Some(rust) if self.short => rust.clone(),
            Some(rust) => format!("{}::{rust}", self.plan.domains[spec.domain].events_ident()),
            None => format!("\"{}\"", spec.name),
        }
    }

    /// The type, in code.
    fn rust(&self, event: usize) -> Option<String> {
        self.plan.events[event].rust.as_ref().map(|_| self.reference(event))
    }
}

fn annotation_lines(names: &Names<'_>, prefix: &str, consumes: &[Consume], produces: &[Produce]) -> String {
    let mut out = String::new();
    for consume in consumes {
        let _ = writeln!(
            out,
            "#[{prefix}event_consumer({}, from = \"{}\")]",
            names.reference(consume.event),
            consume.from
        );
    }
    for produce in produces {
        let to = match &produce.dest {
            Dest::Logical(id) => format!("\"{id}\""),
            Dest::Env => format!("env(\"{}\")", produce.var),
        };
        let _ = writeln!(out, "#[{prefix}event_producer({}, to = {to})]", names.reference(produce.event));
    }
    out
}

fn handler_file(plan: &Plan, function: &Function, subject: &Subject, rng: &mut Rng) -> String {
    let names = Names { plan, short: rng.percent(55) };
    let produces_any = !function.produces.is_empty();
    let style = match rng.below(100) {
        0..=29 => Style::Stacked,
        30..=74 => Style::PerItem,
        _ if produces_any => Style::Methods,
        _ => Style::PerItem,
    };
    let qualified = rng.percent(10);
    let prefix = if qualified { "flowdoc_annotations::" } else { "" };
    let event_name = |event: usize| plan.events[event].name.clone();

    // The items, and which of them produces what.
    let mut items: Vec<HandlerItem> = Vec::new();
    match &function.trigger {
        Trigger::Api(routes) => {
            for route in routes {
                items.push(HandlerItem {
                    name: format!("{}_{}", route.verb, function.entity.snake),
                    doc: format!(
                        "`{} {}`: {}s {} {} and stores it.",
                        route.method.to_uppercase(),
                        route.path,
                        route.verb,
                        article(&function.entity.words()),
                        function.entity.words()
                    ),
                    consumes: Vec::new(),
                    produces: Vec::new(),
                    route: Some(route.clone()),
                });
            }
        }
        Trigger::Schedule(_) => items.push(HandlerItem {
            name: "run".to_owned(),
            doc: format!(
                "One run of the {}: asks for the work that is due.",
                function.role.replace('-', " ")
            ),
            consumes: Vec::new(),
            produces: Vec::new(),
            route: None,
        }),
        _ => {
            for consume in &function.consumes {
                let name = format!("on_{}", snake(&pascal(&event_name(consume.event))));
                let verbs = ["Handles", "Reacts to", "Takes care of", "Processes"];
                items.push(HandlerItem {
                    doc: format!(
                        "{} {}: the {} part of this function.",
                        rng.pick(&verbs),
                        event_name(consume.event),
                        function.role.replace('-', " ")
                    ),
                    name,
                    consumes: vec![consume.clone()],
                    produces: Vec::new(),
                    route: None,
                });
            }
        }
    }
    for (position, produce) in function.produces.iter().enumerate() {
        if items.is_empty() {
            break;
        }
        let same_event = items.iter().position(|item| {
            item.consumes.iter().any(|c| c.event == produce.event)
                || item.route.as_ref().is_some_and(|r| r.event == produce.event)
        });
        let target = same_event.unwrap_or(position % items.len());
        items[target].produces.push(produce.clone());
    }

    let mut file = RustFile::new(&fill(
        "The Lambda handler of `@package@`: @description@

@trigger@",
        &[
            ("package", &function.package),
            ("description", &function.description),
            ("trigger", &trigger_sentence(function)),
        ],
    ));
    for reserved in [
        "Outgoing",
        "Targets",
        "Record",
        "Request",
        "Handler",
        "EVENT_TYPE",
        "handle",
        "dispatch",
        "records",
        "deliver",
        "decode",
        "field",
        "untyped",
        "response",
        "plain",
        "event_type_of",
        "decode_base64",
    ] {
        file.names.insert(reserved.to_owned());
    }
    for item in &items {
        file.names.insert(item.name.clone());
    }
    for event in function.consumes.iter().map(|c| c.event).chain(function.produces.iter().map(|p| p.event)) {
        if let Some(rust) = &plan.events[event].rust {
            file.names.insert(rust.clone());
        }
    }

    // Imports.
    if !qualified {
        let mut attributes = Vec::new();
        if !function.consumes.is_empty() {
            attributes.push("event_consumer");
        }
        if produces_any {
            attributes.push("event_producer");
        }
        match attributes.as_slice() {
            [] => {}
            [one] => file.add_use(&format!("flowdoc_annotations::{one}")),
            several => file.add_use(&format!("flowdoc_annotations::{{{}}}", several.join(", "))),
        }
    }
    file.add_use("lambda_runtime::{Error, LambdaEvent}");
    let batch = matches!(function.trigger, Trigger::Queue | Trigger::Stream | Trigger::Kinesis);
    let uses_json = batch || matches!(function.trigger, Trigger::Api(_) | Trigger::Schedule(_));
    file.add_use(if uses_json { "serde_json::{Value, json}" } else { "serde_json::Value" });
    if !uses_json {
        file.test_uses.insert("serde_json::json".to_owned());
    }
    let typed_consumed: Vec<usize> =
        function.consumes.iter().map(|c| c.event).filter(|&e| plan.events[e].rust.is_some()).collect();
    let typed_produced: Vec<usize> = {
        let mut seen = BTreeSet::new();
        function
            .produces
            .iter()
            .map(|p| p.event)
            .filter(|&e| plan.events[e].rust.is_some() && seen.insert(e))
            .collect()
    };
    let untyped_produced = function.produces.iter().any(|p| plan.events[p.event].rust.is_none());
    let mut serde_imports = Vec::new();
    if produces_any {
        serde_imports.push("Serialize");
    }
    if !typed_consumed.is_empty() || !typed_produced.is_empty() {
        serde_imports.push("de::DeserializeOwned");
    }
    match serde_imports.as_slice() {
        [] => {}
        [one] => file.add_use(&format!("serde::{one}")),
        several => file.add_use(&format!("serde::{{{}}}", several.join(", "))),
    }
    let crates_consumed: BTreeSet<usize> = typed_consumed.iter().map(|&e| plan.events[e].domain).collect();
    for &domain in &crates_consumed {
        file.add_use(&format!("{}::DomainEvent as _", plan.domains[domain].events_ident()));
    }
    if names.short {
        let mut by_crate: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
        for event in typed_consumed.iter().chain(&typed_produced) {
            let spec = &plan.events[*event];
            by_crate.entry(spec.domain).or_default().insert(spec.rust.clone().unwrap_or_default());
        }
        for (domain, types) in by_crate {
            let crate_name = plan.domains[domain].events_ident();
            let types: Vec<String> = types.into_iter().collect();
            if types.len() == 1 {
                file.add_use(&format!("{crate_name}::{}", types[0]));
            } else {
                file.add_use(&format!("{crate_name}::{{{}}}", types.join(", ")));
            }
        }
    }

    let reads_event_type =
        matches!(function.trigger, Trigger::Queue | Trigger::Stream | Trigger::Kinesis | Trigger::Sns);
    if reads_event_type || untyped_produced {
        file.item(
            "/// The message attribute (or JSON field) that names the event a message carries.
const EVENT_TYPE: &str = \"event_type\";
"
            .to_owned(),
        );
    }

    // Where things go.
    let mut targets: Vec<(String, &'static str)> = Vec::new();
    for produce in &function.produces {
        if !targets.iter().any(|(var, _)| *var == produce.var) {
            targets.push((produce.var.clone(), produce.kind));
        }
    }
    if produces_any {
        file.item(OUTGOING.to_owned());
        file.test(
            "#[test]
fn outgoing_messages_are_json() {
    let message = Outgoing::new(\"q\", \"Ping\", &json!({ \"a\": 1 })).unwrap();
    assert_eq!(message.body, \"{\\\"a\\\":1}\");
}
"
            .to_owned(),
        );
        let mut fields = String::new();
        let mut reads = String::new();
        for (var, kind) in &targets {
            let _ = writeln!(
                fields,
                "    /// From `{var}`: the {kind} to send to.\n    pub {}: String,",
                var.to_ascii_lowercase()
            );
            let _ = writeln!(reads, "            {}: std::env::var(\"{var}\")?,", var.to_ascii_lowercase());
        }
        file.item(fill(
            "/// Where this function sends what it produces, read from its environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Targets {
@fields@}

impl Targets {
    /// Reads the destinations from the environment.
    pub fn from_env() -> Result<Self, std::env::VarError> {
        Ok(Self {
@reads@        })
    }
}
",
            &[("fields", &fields), ("reads", &reads)],
        ));
    }

    // Reading the input.
    let consumer =
        !function.consumes.is_empty() && !matches!(function.trigger, Trigger::Api(_) | Trigger::Schedule(_));
    if consumer {
        file.item(
            "/// One message, change or event: its id, the name of the event it carries, and its body.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The id failures are reported by.
    pub id: String,
    /// The event's name.
    pub event_type: String,
    /// The event as JSON.
    pub body: Value,
}
"
            .to_owned(),
        );
        let consumed_names: Vec<String> = {
            let mut seen = BTreeSet::new();
            function
                .consumes
                .iter()
                .map(|c| event_name(c.event))
                .filter(|name| seen.insert(name.clone()))
                .collect()
        };
        match function.trigger {
            Trigger::Queue => {
                file.item(SQS_RECORDS.to_owned());
                file.test("#[test]
fn reads_the_messages_of_a_batch() {
    let payload = json!({ \"Records\": [{ \"messageId\": \"m-1\", \"body\": \"{\\\"event_type\\\":\\\"X\\\"}\" }] });
    let batch = records(&payload);
    assert_eq!(batch.len(), 1);
    assert_eq!(batch[0].event_type, \"X\");
    assert!(records(&json!({})).is_empty());
}
".to_owned());
            }
            Trigger::Sns => {
                file.item(SNS_RECORDS.to_owned());
                file.test("#[test]
fn reads_the_messages_of_a_notification() {
    let payload = json!({ \"Records\": [{ \"Sns\": { \"MessageId\": \"n-1\", \"Message\": \"{}\", \"MessageAttributes\": { \"event_type\": { \"Value\": \"X\" } } } }] });
    assert_eq!(records(&payload)[0].event_type, \"X\");
}
".to_owned());
            }
            Trigger::Stream => {
                file.item(STREAM_RECORDS.to_owned());
                let arms = match consumed_names.as_slice() {
                    [only] => format!("    let _ = change;\n    \"{only}\"\n"),
                    [first, rest @ ..] => {
                        let mut arms = format!("    match change {{\n        \"INSERT\" => \"{first}\",\n");
                        if rest.len() > 1 {
                            let _ = writeln!(arms, "        \"MODIFY\" => \"{}\",", rest[0]);
                        }
                        let _ = write!(arms, "        _ => \"{}\",\n    }}\n", rest[rest.len() - 1]);
                        arms
                    }
                    [] => "    let _ = change;\n    \"\"\n".to_owned(),
                };
                file.item(format!(
                    "/// The event a change stands for when its item does not say.
fn event_type_of(change: &str) -> &'static str {{
{arms}}}
"
                ));
                file.test("#[test]
fn attribute_values_become_plain_json() {
    assert_eq!(plain(&json!({ \"S\": \"a\" })), json!(\"a\"));
    assert_eq!(plain(&json!({ \"N\": \"12\" })), json!(12));
    assert_eq!(plain(&json!({ \"id\": { \"S\": \"x\" }, \"n\": { \"N\": \"1\" } })), json!({ \"id\": \"x\", \"n\": 1 }));
}
".to_owned());
            }
            Trigger::Kinesis => {
                file.item(KINESIS_RECORDS.to_owned());
                file.test(
                    "#[test]
fn decodes_base64() {
    assert_eq!(decode_base64(\"aGVsbG8=\"), Some(b\"hello\".to_vec()));
    assert_eq!(decode_base64(\"*\"), None);
}
"
                    .to_owned(),
                );
            }
            _ => {
                file.item(EVENTBRIDGE_RECORDS.to_owned());
                file.test(
                    "#[test]
fn reads_the_event() {
    let read = records(&json!({ \"id\": \"e-1\", \"detail-type\": \"X\", \"detail\": { \"a\": 1 } }));
    assert_eq!((read[0].id.as_str(), read[0].event_type.as_str()), (\"e-1\", \"X\"));
}
"
                    .to_owned(),
                );
            }
        }
        if !typed_consumed.is_empty() {
            file.item(
                "/// The record's body as a `T`.
fn decode<T: DeserializeOwned>(record: &Record) -> Result<T, String> {
    serde_json::from_value(record.body.clone())
        .map_err(|error| format!(\"record {} is not a {}: {error}\", record.id, record.event_type))
}
"
                .to_owned(),
            );
        }
    }
    if matches!(function.trigger, Trigger::Api(_)) {
        file.item(API_REQUEST.to_owned());
    }

    // The entry point and the items.
    let methods = style == Style::Methods;
    let owner = if methods { "self.targets" } else { "targets" };
    let out_ty = if produces_any { "Vec<Outgoing>" } else { "()" };
    let stacked = if style == Style::Stacked {
        let consumes: Vec<Consume> = items.iter().flat_map(|item| item.consumes.clone()).collect();
        let produces: Vec<Produce> = items.iter().flat_map(|item| item.produces.clone()).collect();
        annotation_lines(&names, prefix, &consumes, &produces)
    } else {
        String::new()
    };
    let setup = match (produces_any, methods) {
        (false, _) => String::new(),
        (true, false) => "    let targets = Targets::from_env()?;\n".to_owned(),
        (true, true) => {
            "    let targets = Targets::from_env()?;\n    let handler = Handler { targets: &targets };\n"
                .to_owned()
        }
    };
    let call_prefix = if methods { "handler." } else { "" };
    let call_args = if produces_any && !methods { "&targets, " } else { "" };
    let mut item_texts = Vec::new();
    for item in &items {
        item_texts.push(item_text(plan, &names, function, item, style, prefix, owner, out_ty));
    }
    match &function.trigger {
        Trigger::Api(_) => {
            let arms: String = items
                .iter()
                .map(|item| {
                    let route = item
                        .route
                        .as_ref()
                        .map(|r| (r.method.to_uppercase(), r.path.clone()))
                        .unwrap_or_default();
                    format!(
                        "        (\"{}\", \"{}\") => {call_prefix}{}({call_args}&request).await,\n",
                        route.0, route.1, item.name
                    )
                })
                .collect();
            file.item(fill(
                "/// Entry point: one API Gateway request, answered with a JSON body.
@stacked@pub async fn handle(event: LambdaEvent<Value>) -> Result<Value, Error> {
@setup@    let request = Request::from_payload(&event.payload);
    let result = match (request.method.as_str(), request.route.as_str()) {
@arms@        _ => Err((404, format!(\"no route for {} {}\", request.method, request.route))),
    };
    Ok(match result {
        Ok(outgoing) => {
            deliver(&outgoing);
            response(202, &json!({ \"accepted\": outgoing.len() }))
        }
        Err((status, message)) => response(status, &json!({ \"message\": message })),
    })
}
",
                &[("stacked", &stacked), ("setup", &setup), ("arms", &arms)],
            ));
        }
        Trigger::Schedule(_) => {
            let (run, result) = if produces_any {
                (
                    format!(
                        "    let outgoing = {call_prefix}run({call_args}&source).await?;
    deliver(&outgoing);
"
                    ),
                    "json!({ \"sent\": outgoing.len() })",
                )
            } else {
                (format!("    {call_prefix}run(&source).await?;\n"), "json!({ \"ok\": true })")
            };
            file.item(fill(
                "/// Entry point: one tick of the schedule.
@stacked@pub async fn handle(event: LambdaEvent<Value>) -> Result<Value, Error> {
@setup@    let source = json!({
        \"correlation_id\": event.payload.get(\"id\").and_then(Value::as_str).unwrap_or_default(),
        \"requested_at\": event.payload.get(\"time\").and_then(Value::as_str).unwrap_or_default(),
    });
@run@    Ok(@result@)
}
",
                &[("stacked", &stacked), ("setup", &setup), ("run", &run), ("result", result)],
            ));
        }
        _ => {
            let dispatch_param = match (produces_any, methods) {
                (false, _) => "",
                (true, false) => "targets: &Targets, ",
                (true, true) => "handler: &Handler<'_>, ",
            };
            let dispatch_args = match (produces_any, methods) {
                (false, _) => "",
                (true, false) => "&targets, ",
                (true, true) => "&handler, ",
            };
            let item_args = if produces_any && !methods { "targets, " } else { "" };
            let mut arms = String::new();
            let mut seen = BTreeSet::new();
            for item in &items {
                let name = event_name(item.consumes[0].event);
                if seen.insert(name.clone()) {
                    let _ = writeln!(
                        arms,
                        "        \"{name}\" => {call_prefix}{}({item_args}record).await,",
                        item.name
                    );
                }
            }
            file.item(fill(
                "/// Finds the handler of the record's event.
async fn dispatch(@param@record: &Record) -> Result<@out@, String> {
    match record.event_type.as_str() {
@arms@        other => Err(format!(\"unexpected event type `{other}`\")),
    }
}
",
                &[("param", dispatch_param), ("out", out_ty), ("arms", &arms)],
            ));
            let source = function.consumes[0].from.clone();
            if batch {
                let (ok_arm, collect, send) = if produces_any {
                    (
                        "Ok(mut messages) => outgoing.append(&mut messages),",
                        "    let mut outgoing = Vec::new();\n",
                        "    deliver(&outgoing);\n",
                    )
                } else {
                    ("Ok(()) => {}", "", "")
                };
                file.item(fill(
                    "/// Entry point: one batch from `@source@`. A record that fails is reported as a batch
/// item failure, so only it is retried.
@stacked@pub async fn handle(event: LambdaEvent<Value>) -> Result<Value, Error> {
@setup@@collect@    let mut failures = Vec::new();
    for record in records(&event.payload) {
        match dispatch(@args@&record).await {
            @ok@
            Err(error) => {
                tracing::warn!(record = record.id.as_str(), error = error.as_str(), \"record failed\");
                failures.push(json!({ \"itemIdentifier\": record.id }));
            }
        }
    }
@send@    Ok(json!({ \"batchItemFailures\": failures }))
}
",
                    &[
                        ("source", &source),
                        ("stacked", &stacked),
                        ("setup", &setup),
                        ("collect", collect),
                        ("args", dispatch_args),
                        ("ok", ok_arm),
                        ("send", send),
                    ],
                ));
            } else {
                let (collect, call, send) = if produces_any {
                    (
                        "    let mut outgoing = Vec::new();\n",
                        format!(
                            "        let mut messages = dispatch({dispatch_args}&record).await.map_err(Error::from)?;
        outgoing.append(&mut messages);
"
                        ),
                        "    deliver(&outgoing);\n",
                    )
                } else {
                    ("", "        dispatch(&record).await.map_err(Error::from)?;\n".to_owned(), "")
                };
                file.item(fill(
                    "/// Entry point: invoked asynchronously through `@source@`. An error makes Lambda retry,
/// then send the event to the function's failure destination.
@stacked@pub async fn handle(event: LambdaEvent<Value>) -> Result<Value, Error> {
@setup@@collect@    for record in records(&event.payload) {
@call@    }
@send@    Ok(Value::Null)
}
",
                    &[
                        ("source", &source),
                        ("stacked", &stacked),
                        ("setup", &setup),
                        ("collect", collect),
                        ("call", &call),
                        ("send", send),
                    ],
                ));
            }
        }
    }
    if methods {
        let body: String = item_texts.iter().map(|text| indent(text, 4)).collect::<Vec<_>>().join("\n");
        file.item(format!(
            "/// The handlers of `{}`, with where they send what they produce.
#[derive(Debug)]
pub struct Handler<'a> {{
    targets: &'a Targets,
}}

impl Handler<'_> {{
{body}}}
",
            function.package
        ));
    } else {
        for text in item_texts {
            file.item(text);
        }
    }

    // Building what is produced.
    for &event in &typed_produced {
        let spec = &plan.events[event];
        let rust = names.rust(event).unwrap_or_default();
        let builder = format!("{}_from", snake(spec.rust.as_deref().unwrap_or_default()));
        let (constructor, fields) = match &spec.shape {
            Shape::Struct(fields) => (rust.clone(), fields.clone()),
            Shape::Enum(variants) => (format!("{rust}::{}", variants[0].0), variants[0].2.clone()),
            Shape::Untyped => (rust.clone(), Vec::new()),
        };
        let values: String = fields
            .iter()
            .map(|field| format!("        {0}: field(source, \"{0}\"),\n", field.name))
            .collect();
        file.item(format!(
            "/// {} `{}` from the fields of `source` it shares; the others at their defaults.
fn {builder}(source: &Value) -> {rust} {{
    {constructor} {{
{values}    }}
}}
",
            if spec.name.starts_with(['A', 'E', 'I', 'O', 'U']) { "An" } else { "A" },
            spec.name
        ));
        if matches!(spec.shape, Shape::Struct(_)) && file.tests.len() < 6 {
            file.test(format!(
                "#[test]
fn {builder}_keeps_the_correlation_id() {{
    let event = {builder}(&json!({{ \"correlation_id\": \"c-7\" }}));
    assert_eq!(event.correlation_id, \"c-7\");
}}
"
            ));
        }
    }
    if !typed_produced.is_empty() {
        file.item("/// The field `name` of `source` as a `T`, or `T`'s default when it is missing or of another shape.
fn field<T: DeserializeOwned + Default>(source: &Value, name: &str) -> T {
    source.get(name).cloned().and_then(|value| serde_json::from_value(value).ok()).unwrap_or_default()
}
".to_owned());
    }
    if untyped_produced {
        file.item(
            "/// `source` with its event type set, for events without a Rust type.
fn untyped(source: &Value, event_type: &str) -> Value {
    let mut body = source.clone();
    if let Some(fields) = body.as_object_mut() {
        fields.insert(EVENT_TYPE.to_owned(), Value::String(event_type.to_owned()));
    }
    body
}
"
            .to_owned(),
        );
    }
    if produces_any {
        file.item(
            "/// Sends what the handlers produced. This build logs each message; a deployment passes the
/// AWS SDK client of the destination's service here.
fn deliver(outgoing: &[Outgoing]) {
    for message in outgoing {
        tracing::info!(
            destination = message.destination.as_str(),
            event_type = message.event_type,
            bytes = message.body.len(),
            \"sending\"
        );
    }
}
"
            .to_owned(),
        );
    }
    let target = target_lines(rng).max(file.lines + 20);
    let target = target.min(file.lines + 200);
    fill_file(&mut file, rng, subject, &[], target);
    file.render()
}

/// The text of one handler item: annotations (unless stacked on the entry point), signature,
/// reading what it consumes, building what it produces.
#[allow(clippy::too_many_arguments, reason = "the pieces of one item, all needed")]
fn item_text(
    plan: &Plan,
    names: &Names<'_>,
    function: &Function,
    item: &HandlerItem,
    style: Style,
    prefix: &str,
    owner: &str,
    out_ty: &str,
) -> String {
    let annotations = if style == Style::Stacked {
        String::new()
    } else {
        annotation_lines(names, prefix, &item.consumes, &item.produces)
    };
    let methods = style == Style::Methods;
    let produces_any = !function.produces.is_empty();
    let mut body = String::new();
    let (signature, source, error_map) = if let Some(route) = &item.route {
        let params = match (produces_any, methods) {
            (_, true) => "&self, request: &Request",
            (true, false) => "targets: &Targets, request: &Request",
            (false, false) => "request: &Request",
        };
        if route.method == "post" {
            body.push_str(
                "    if !request.body.is_object() {
        return Err((400, \"the body must be a JSON object\".to_owned()));
    }
",
            );
        }
        body.push_str(
            "    let mut source = request.body.clone();
    if let Some(fields) = source.as_object_mut() {
        fields.insert(\"correlation_id\".to_owned(), Value::String(request.correlation_id.clone()));
",
        );
        if route.path.ends_with("{id}") {
            let _ = writeln!(
                body,
                "        fields.insert(\"{}_id\".to_owned(), Value::String(request.id.clone()));",
                function.entity.snake
            );
        }
        body.push_str("    }\n");
        (
            format!("async fn {}({params}) -> Result<{out_ty}, (u16, String)>", item.name),
            "&source",
            ".map_err(|error| (500, error))",
        )
    } else if matches!(function.trigger, Trigger::Schedule(_)) {
        let params = match (produces_any, methods) {
            (_, true) => "&self, source: &Value",
            (true, false) => "targets: &Targets, source: &Value",
            (false, false) => "source: &Value",
        };
        body.push_str(
            "    let requested_at = source.get(\"requested_at\").and_then(Value::as_str).unwrap_or_default();
    tracing::info!(requested_at, \"run\");
",
        );
        (format!("async fn {}({params}) -> Result<{out_ty}, String>", item.name), "source", "")
    } else {
        let params = match (produces_any && !item.produces.is_empty(), methods) {
            (_, true) => "&self, record: &Record",
            (true, false) => "targets: &Targets, record: &Record",
            (false, false) if produces_any => "_targets: &Targets, record: &Record",
            (false, false) => "record: &Record",
        };
        for consume in &item.consumes {
            match names.rust(consume.event) {
                Some(rust) => {
                    let _ = write!(
                        body,
                        "    let event: {rust} = decode(record)?;
    tracing::info!(correlation_id = event.correlation_id(), event_type = \"{}\", \"received\");
",
                        plan.events[consume.event].name
                    );
                }
                None => {
                    let _ = write!(
                        body,
                        "    let correlation_id = record.body.get(\"correlation_id\").and_then(Value::as_str).unwrap_or_default();
    tracing::info!(correlation_id, event_type = \"{}\", \"received\");
",
                        plan.events[consume.event].name
                    );
                }
            }
        }
        (format!("async fn {}({params}) -> Result<{out_ty}, String>", item.name), "&record.body", "")
    };
    if item.produces.is_empty() {
        body.push_str(if produces_any { "    Ok(Vec::new())\n" } else { "    Ok(())\n" });
    } else {
        body.push_str("    Ok(vec![\n");
        for produce in &item.produces {
            let spec = &plan.events[produce.event];
            let value = match &spec.rust {
                Some(rust) => format!("{}_from({source})", snake(rust)),
                None => format!("untyped({source}, \"{}\")", spec.name),
            };
            let _ = writeln!(
                body,
                "        Outgoing::new(&{owner}.{}, \"{}\", &{value}){error_map}?,",
                produce.var.to_ascii_lowercase(),
                spec.name
            );
        }
        body.push_str("    ])\n");
    }
    let visibility = if methods { "pub " } else { "" };
    format!("/// {}\n{annotations}{visibility}{signature} {{\n{body}}}\n", item.doc)
}

const OUTGOING: &str = "/// A message for a queue, topic, table, stream or bus, and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// The queue URL, topic ARN, or table, stream or bus name, from the environment.
    pub destination: String,
    /// The event's name: the `event_type` attribute, or the EventBridge `detail-type`.
    pub event_type: &'static str,
    /// The event as JSON.
    pub body: String,
}

impl Outgoing {
    /// `event` for `destination`, as JSON.
    pub fn new(destination: &str, event_type: &'static str, event: &impl Serialize) -> Result<Self, String> {
        let body = serde_json::to_string(event).map_err(|error| error.to_string())?;
        Ok(Self { destination: destination.to_owned(), event_type, body })
    }
}
";

const SQS_RECORDS: &str =
    "/// The messages of an SQS batch. A body that is not JSON is kept as a string, so that record
/// fails on its own rather than the whole batch.
fn records(payload: &Value) -> Vec<Record> {
    payload
        .get(\"Records\")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|message| {
            let raw = message.get(\"body\").and_then(Value::as_str).unwrap_or_default();
            let body: Value = serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_owned()));
            let event_type = message
                .pointer(\"/messageAttributes/event_type/stringValue\")
                .and_then(Value::as_str)
                .or_else(|| body.get(EVENT_TYPE).and_then(Value::as_str))
                .unwrap_or_default()
                .to_owned();
            let id = message.get(\"messageId\").and_then(Value::as_str).unwrap_or_default().to_owned();
            Record { id, event_type, body }
        })
        .collect()
}
";

const SNS_RECORDS: &str = "/// The messages of an SNS notification (one, in practice).
fn records(payload: &Value) -> Vec<Record> {
    payload
        .get(\"Records\")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|record| {
            let raw = record.pointer(\"/Sns/Message\").and_then(Value::as_str).unwrap_or_default();
            let body: Value = serde_json::from_str(raw).unwrap_or(Value::Null);
            let event_type = record
                .pointer(\"/Sns/MessageAttributes/event_type/Value\")
                .and_then(Value::as_str)
                .or_else(|| body.get(EVENT_TYPE).and_then(Value::as_str))
                .unwrap_or_default()
                .to_owned();
            let id = record.pointer(\"/Sns/MessageId\").and_then(Value::as_str).unwrap_or_default().to_owned();
            Record { id, event_type, body }
        })
        .collect()
}
";

const STREAM_RECORDS: &str = "/// The changes of a DynamoDB stream batch, their items as plain JSON. The id is the sequence
/// number, which is what batch item failures name.
fn records(payload: &Value) -> Vec<Record> {
    payload
        .get(\"Records\")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|change| {
            let image = change
                .pointer(\"/dynamodb/NewImage\")
                .or_else(|| change.pointer(\"/dynamodb/OldImage\"))
                .map_or(Value::Null, plain);
            let name = change.get(\"eventName\").and_then(Value::as_str).unwrap_or_default();
            let event_type = image
                .get(EVENT_TYPE)
                .and_then(Value::as_str)
                .map_or_else(|| event_type_of(name).to_owned(), str::to_owned);
            let id = change.pointer(\"/dynamodb/SequenceNumber\").and_then(Value::as_str).unwrap_or_default().to_owned();
            Record { id, event_type, body: image }
        })
        .collect()
}

/// A DynamoDB attribute value as plain JSON: `{\"S\": \"a\"}` becomes `\"a\"`, `{\"N\": \"1\"}` becomes `1`,
/// maps and lists recursively.
fn plain(value: &Value) -> Value {
    let Value::Object(map) = value else { return value.clone() };
    if map.len() == 1
        && let Some((kind, inner)) = map.iter().next()
    {
        match (kind.as_str(), inner) {
            (\"S\", Value::String(text)) => return Value::String(text.clone()),
            (\"N\", Value::String(text)) => {
                return text.parse::<u64>().map_or_else(|_| Value::String(text.clone()), Value::from);
            }
            (\"BOOL\", Value::Bool(flag)) => return Value::Bool(*flag),
            (\"NULL\", _) => return Value::Null,
            (\"M\", Value::Object(_)) => return plain(inner),
            (\"L\", Value::Array(items)) => return Value::Array(items.iter().map(plain).collect()),
            _ => {}
        }
    }
    Value::Object(map.iter().map(|(key, value)| (key.clone(), plain(value))).collect())
}
";

const KINESIS_RECORDS: &str = "/// The records of a Kinesis batch: base64 data holding JSON events. The id is the sequence
/// number, which is what batch item failures name.
fn records(payload: &Value) -> Vec<Record> {
    payload
        .get(\"Records\")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|entry| {
            let data = entry.pointer(\"/kinesis/data\").and_then(Value::as_str).unwrap_or_default();
            let body: Value =
                decode_base64(data).and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or(Value::Null);
            let event_type = body.get(EVENT_TYPE).and_then(Value::as_str).unwrap_or_default().to_owned();
            let id = entry.pointer(\"/kinesis/sequenceNumber\").and_then(Value::as_str).unwrap_or_default().to_owned();
            Record { id, event_type, body }
        })
        .collect()
}

/// Standard base64 (padding ignored); None on a character outside the alphabet.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut bits: u32 = 0;
    let mut count = 0;
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    for byte in text.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => continue,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(value);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push(u8::try_from(bits >> count).unwrap_or(u8::MAX));
            bits &= (1 << count) - 1;
        }
    }
    Some(out)
}
";

const EVENTBRIDGE_RECORDS: &str =
    "/// The event EventBridge delivers: its `detail-type` names it, its `detail` is the body.
fn records(payload: &Value) -> Vec<Record> {
    let text = |name: &str| payload.get(name).and_then(Value::as_str).unwrap_or_default().to_owned();
    vec![Record {
        id: text(\"id\"),
        event_type: text(\"detail-type\"),
        body: payload.get(\"detail\").cloned().unwrap_or(Value::Null),
    }]
}
";

const API_REQUEST: &str = "/// An API Gateway request, as far as this function reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// `POST`, `PUT`, ...
    pub method: String,
    /// The route as declared, as in `/orders/{id}`.
    pub route: String,
    /// The `{id}` path parameter, if the route has one.
    pub id: String,
    /// The JSON body; `null` when there is none or it is not JSON.
    pub body: Value,
    /// The `x-correlation-id` header; empty when the caller sent none.
    pub correlation_id: String,
}

impl Request {
    /// Reads the request from the proxy integration's payload.
    pub fn from_payload(payload: &Value) -> Self {
        let text = |pointer: &str| payload.pointer(pointer).and_then(Value::as_str).unwrap_or_default().to_owned();
        let raw = text(\"/body\");
        Self {
            method: text(\"/httpMethod\"),
            route: text(\"/resource\"),
            id: text(\"/pathParameters/id\"),
            body: serde_json::from_str(&raw).unwrap_or(Value::Null),
            correlation_id: text(\"/headers/x-correlation-id\"),
        }
    }
}

/// A proxy integration response with a JSON body.
fn response(status: u16, body: &Value) -> Value {
    json!({
        \"statusCode\": status,
        \"headers\": { \"content-type\": \"application/json\" },
        \"body\": body.to_string(),
    })
}
";
