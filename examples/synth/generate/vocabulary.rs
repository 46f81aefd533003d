//! The words the generator builds names from: domains and their things, lifecycle and
//! processing verbs, roles of functions, and the fields events may carry.

/// Domains and the things they deal with (`singular/plural`, snake case).
pub(super) const DOMAINS: &[(&str, &[&str])] = &[
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
pub(super) const GENERIC_ENTITIES: &[&str] = &[
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
pub(super) const REGIONS: &[&str] = &["eu", "us", "apac", "latam", "uk", "nordics", "dach", "anz"];

/// Events of a thing's life, with the verb of the request that causes each and its HTTP method.
pub(super) const LIFECYCLES: &[&[(&str, &str, &str)]] = &[
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
pub(super) const PROCESS_VERBS: &[&str] = &[
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
pub(super) const MILESTONE_VERBS: &[&str] = &[
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
pub(super) const ROLES: &[&str] = &[
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
pub(super) const JOB_ROLES: &[&str] =
    &["sweeper", "scheduler", "nightly-report", "expiry-job", "rebalancer", "compactor"];

/// What a scheduled job asks for.
pub(super) const JOB_VERBS: &[&str] =
    &["SweepRequested", "ExpiryDue", "ReportRequested", "RebalanceDue", "CompactionDue"];

/// Event fields beyond the correlation id and the thing's id: name, type and doc (`@thing@` is
/// the thing).
pub(super) const EVENT_FIELDS: &[(&str, Ty, &str)] = &[
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
pub(super) enum Ty {
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
    /// The type in Rust code.
    pub(super) fn rust(self) -> &'static str {
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
    pub(super) fn common(self) -> Option<&'static str> {
        match self {
            Ty::Money => Some("Money"),
            Ty::Lines => Some("LineItem"),
            Ty::Address => Some("Address"),
            _ => None,
        }
    }
}
