//! Filler items that are code: a lookup trait with an in-memory implementation, helper and async
//! helper functions, a pager, a statistics accumulator and constants, each with its tests.

use super::rng::Rng;
use super::rust_file::{FillerOutput, RustFile, Subject};
use super::text::{fill, indent, pascal_to_sentence, snake, upper};

/// A lookup trait for the things of `topic`, an in-memory implementation and its test.
pub(super) fn store_filler(file: &mut RustFile, rng: &mut Rng, topic: &Subject) -> FillerOutput {
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

/// One of the [`HELPERS`], named after the things of `topic`, and usually its test.
pub(super) fn helper_filler(file: &mut RustFile, rng: &mut Rng, topic: &Subject) -> FillerOutput {
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

/// An async helper without a test: retrying an operation, or looking up several ids in turn.
pub(super) fn async_filler(file: &mut RustFile, rng: &mut Rng, topic: &Subject) -> FillerOutput {
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

/// An iterator over the pages of a slice of items, and its test.
pub(super) fn pages_filler(file: &mut RustFile, rng: &mut Rng, topic: &Subject) -> FillerOutput {
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

/// A statistics accumulator (count, sum, bounds, mean) that merges and collects, and its test.
pub(super) fn stats_filler(file: &mut RustFile, _rng: &mut Rng, topic: &Subject) -> FillerOutput {
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

/// Constants (a key prefix, a limit per request, a time to live, known sources) and sometimes
/// a test of them.
pub(super) fn constants_filler(file: &mut RustFile, rng: &mut Rng, topic: &Subject) -> FillerOutput {
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
