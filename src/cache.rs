//! The incremental cache: what an earlier run worked out from the same input, kept so that an
//! unchanged project costs little more than reading it.
//!
//! Each entry is found by a [`Key`], a 128-bit hash of everything its value was worked out from
//! (the file's path and bytes, the options that change the result). Entries of one [`Kind`] are
//! kept together in a *pack*: one file, read whole at the start of a run and written whole at
//! its end, which holds exactly the entries the run used or added. A pack names the build that
//! wrote it (flowdoc's version and a hash of its sources, [`BUILD_ID`]) and ends with a checksum:
//! one written by another build, cut short or damaged is refused with a reason, and the run
//! works everything out again. A value that does not read back is worked out again too: the
//! cache is never trusted over the input, only used to skip work.
//!
//! This module holds the format and the lookups; reading and writing the pack files is the
//! command line's (`cli::cache`), since only that layer touches the filesystem.

use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use xxhash_rust::xxh3::{Xxh3, xxh3_64};

/// This build: its version and a hash of its sources, set by `build.rs`.
pub const BUILD_ID: &str = env!("FLOWDOC_BUILD_ID");

/// The layout of a pack file; changes when the layout does.
const FORMAT: u32 = 1;

/// What a pack file starts with.
const MAGIC: &[u8; 8] = b"FDCACHE\n";

/// What an entry holds, and the pack it lives in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// What a source file holds: its annotations, event types and `mod` declarations.
    Sources,
    /// The `mod` declarations of a source file without annotations.
    Modules,
    /// A loaded template.
    Templates,
    /// A picture, drawn.
    Pictures,
}

impl Kind {
    /// Every kind, in pack order.
    pub const ALL: [Kind; 4] = [Kind::Sources, Kind::Modules, Kind::Templates, Kind::Pictures];

    /// The name of its pack file.
    pub fn file_name(self) -> &'static str {
        match self {
            Kind::Sources => "sources.pack",
            Kind::Modules => "modules.pack",
            Kind::Templates => "templates.pack",
            Kind::Pictures => "pictures.pack",
        }
    }

    fn tag(self) -> u8 {
        match self {
            Kind::Sources => 1,
            Kind::Modules => 2,
            Kind::Templates => 3,
            Kind::Pictures => 4,
        }
    }
}

/// Where an entry is found: a hash of everything its value depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct Key(u128);

impl Key {
    /// The key of a value of `kind` worked out from `parts` (paths, options, bytes), in order.
    /// Each part is length-prefixed, so that no two different lists of parts run together.
    pub fn new(kind: Kind, parts: &[&[u8]]) -> Key {
        let mut hasher = Xxh3::new();
        hasher.update(&[kind.tag()]);
        for part in parts {
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
        Key(hasher.digest128())
    }

    /// The key of a value of `kind` worked out from `input` alone, by its `Hash`.
    pub fn of<T: std::hash::Hash + ?Sized>(kind: Kind, input: &T) -> Key {
        let mut hasher = Xxh3::new();
        hasher.update(&[kind.tag()]);
        input.hash(&mut hasher);
        Key(hasher.digest128())
    }
}

/// Why a pack file was not used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PackError {
    /// It does not start as a flowdoc cache does.
    NotACache,
    /// Another build of flowdoc wrote it (or another layout).
    OtherBuild(String),
    /// It holds the entries of another kind.
    OtherKind,
    /// It ends before its entries do.
    Truncated,
    /// Its bytes do not add up to its checksum.
    Damaged,
}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PackError::NotACache => write!(f, "not a flowdoc cache"),
            PackError::OtherBuild(build) => write!(f, "written by another flowdoc build ({build})"),
            PackError::OtherKind => write!(f, "holds another kind of entries"),
            PackError::Truncated => write!(f, "cut short"),
            PackError::Damaged => write!(f, "damaged (its checksum does not match)"),
        }
    }
}

impl std::error::Error for PackError {}

/// The entries of one kind: those read from its pack, and those this run used or added.
#[derive(Debug, Default)]
struct Pack {
    /// Entries read from the pack file.
    old: HashMap<Key, Vec<u8>>,
    /// Entries this run used (read back) or added, which the next pack holds.
    now: Mutex<BTreeMap<Key, Option<Vec<u8>>>>,
    /// Lookups that found their value, and values worked out.
    hits: AtomicUsize,
    misses: AtomicUsize,
}

/// How a kind's lookups went in a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// Values found.
    pub hits: usize,
    /// Values worked out (not found, or not readable).
    pub misses: usize,
}

/// The cache of a run; [`Cache::disabled`] when there is none.
#[derive(Debug)]
pub struct Cache {
    enabled: bool,
    packs: BTreeMap<Kind, Pack>,
}

impl Default for Cache {
    fn default() -> Cache {
        Cache::disabled()
    }
}

impl Cache {
    /// No cache: nothing is found, nothing kept.
    pub const fn disabled() -> Cache {
        Cache { enabled: false, packs: BTreeMap::new() }
    }

    /// A cache with no entries yet, which keeps what the run adds.
    pub fn empty() -> Cache {
        Cache { enabled: true, packs: Kind::ALL.iter().map(|kind| (*kind, Pack::default())).collect() }
    }

    /// How the lookups of `kind` went so far.
    pub fn usage(&self, kind: Kind) -> Usage {
        self.packs.get(&kind).map_or_else(Usage::default, |pack| Usage {
            hits: pack.hits.load(Ordering::Relaxed),
            misses: pack.misses.load(Ordering::Relaxed),
        })
    }

    /// Whether lookups can find anything and additions are kept.
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// Reads the pack of `kind` from `bytes`, replacing the entries of that kind. A pack that
    /// is refused leaves the kind empty.
    pub fn read_pack(&mut self, kind: Kind, bytes: &[u8]) -> Result<usize, PackError> {
        let Some(pack) = self.packs.get_mut(&kind) else { return Ok(0) };
        pack.old.clear();
        pack.old = decode(kind, bytes)?;
        Ok(pack.old.len())
    }

    /// The value of `kind` under `key`, read back with `read`; None when there is none or it
    /// does not read back.
    pub fn get<T>(&self, kind: Kind, key: Key, read: impl FnOnce(&[u8]) -> Option<T>) -> Option<T> {
        let pack = self.packs.get(&kind)?;
        let Some(value) = pack.old.get(&key).and_then(|bytes| read(bytes)) else {
            pack.misses.fetch_add(1, Ordering::Relaxed);
            return None;
        };
        pack.hits.fetch_add(1, Ordering::Relaxed);
        lock(&pack.now).insert(key, None);
        Some(value)
    }

    /// Keeps `value` under `key` for the next run.
    pub fn put(&self, kind: Kind, key: Key, value: Vec<u8>) {
        if let Some(pack) = self.packs.get(&kind) {
            lock(&pack.now).insert(key, Some(value));
        }
    }

    /// The value kept by [`Cache::get_or_work`] under `key`, if it reads back.
    pub fn get_value<T: DeserializeOwned>(&self, kind: Kind, key: Key) -> Option<T> {
        self.get(kind, key, |bytes| serde_json::from_slice(bytes).ok())
    }

    /// The value under `key`, or `work`'s, which is then kept: values travel as JSON.
    pub fn get_or_work<T: Serialize + DeserializeOwned>(
        &self,
        kind: Kind,
        key: Key,
        work: impl FnOnce() -> T,
    ) -> T {
        if !self.enabled {
            return work();
        }
        if let Some(value) = self.get_value(kind, key) {
            return value;
        }
        let value = work();
        if let Ok(bytes) = serde_json::to_vec(&value) {
            self.put(kind, key, bytes);
        }
        value
    }

    /// The packs to write: of each kind this run used, its entries now, unless they are exactly
    /// those already in its file. Entries are in key order, so the same entries make the same
    /// bytes.
    pub fn packs_to_write(&self) -> Vec<(Kind, Vec<u8>)> {
        let mut packs = Vec::new();
        for (kind, pack) in &self.packs {
            let now = lock(&pack.now);
            let unchanged = now.len() == pack.old.len()
                && now.iter().all(|(key, value)| value.is_none() && pack.old.contains_key(key));
            if now.is_empty() || unchanged {
                continue;
            }
            let entries = now.iter().filter_map(|(key, value)| {
                Some((*key, value.as_deref().or_else(|| pack.old.get(key).map(Vec::as_slice))?))
            });
            packs.push((*kind, encode(*kind, entries)));
        }
        packs
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A pack file: magic, layout, build, kind, entry count, entries (key, length, bytes), checksum
/// of all that; numbers little-endian.
fn encode<'v>(kind: Kind, entries: impl Iterator<Item = (Key, &'v [u8])>) -> Vec<u8> {
    let entries: Vec<(Key, &[u8])> = entries.collect();
    let mut out = Vec::with_capacity(64 + entries.iter().map(|(_, value)| value.len() + 24).sum::<usize>());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&(BUILD_ID.len() as u32).to_le_bytes());
    out.extend_from_slice(BUILD_ID.as_bytes());
    out.push(kind.tag());
    out.extend_from_slice(&(entries.len() as u64).to_le_bytes());
    for (key, value) in entries {
        out.extend_from_slice(&key.0.to_le_bytes());
        out.extend_from_slice(&(value.len() as u64).to_le_bytes());
        out.extend_from_slice(value);
    }
    let checksum = xxh3_64(&out);
    out.extend_from_slice(&checksum.to_le_bytes());
    out
}

/// Reads a pack file written by [`encode`] of this build.
fn decode(kind: Kind, bytes: &[u8]) -> Result<HashMap<Key, Vec<u8>>, PackError> {
    let mut reader = Reader { bytes, at: 0 };
    if reader.take(MAGIC.len()).ok() != Some(MAGIC.as_slice()) {
        return Err(PackError::NotACache);
    }
    let format = reader.u32()?;
    let build_len = reader.u32()? as usize;
    let build = String::from_utf8_lossy(reader.take(build_len)?).into_owned();
    if format != FORMAT || build != BUILD_ID {
        return Err(PackError::OtherBuild(if format == FORMAT { build } else { format!("layout {format}") }));
    }
    // The checksum covers everything before it: check it before believing any length.
    let Some(body_len) = bytes.len().checked_sub(8) else { return Err(PackError::Truncated) };
    let (body, sum) = bytes.split_at(body_len);
    if body_len < reader.at {
        return Err(PackError::Truncated);
    }
    if xxh3_64(body) != u64::from_le_bytes(sum.try_into().map_err(|_| PackError::Truncated)?) {
        return Err(PackError::Damaged);
    }
    let mut reader = Reader { bytes: body, at: reader.at };
    if reader.take(1)? != [kind.tag()] {
        return Err(PackError::OtherKind);
    }
    let count = reader.u64()?;
    let mut entries = HashMap::new();
    for _ in 0..count {
        let key = Key(u128::from_le_bytes(reader.take(16)?.try_into().map_err(|_| PackError::Truncated)?));
        let len = usize::try_from(reader.u64()?).map_err(|_| PackError::Truncated)?;
        entries.insert(key, reader.take(len)?.to_vec());
    }
    if reader.at != body.len() {
        return Err(PackError::Damaged);
    }
    Ok(entries)
}

/// Reads a pack's fields in order; running out is [`PackError::Truncated`].
struct Reader<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl<'b> Reader<'b> {
    fn take(&mut self, len: usize) -> Result<&'b [u8], PackError> {
        let end =
            self.at.checked_add(len).filter(|end| *end <= self.bytes.len()).ok_or(PackError::Truncated)?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn u32(&mut self) -> Result<u32, PackError> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().map_err(|_| PackError::Truncated)?))
    }

    fn u64(&mut self) -> Result<u64, PackError> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().map_err(|_| PackError::Truncated)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled() -> Cache {
        let cache = Cache::empty();
        cache.put(Kind::Sources, Key::new(Kind::Sources, &[b"a.rs", b"fn a() {}"]), b"\"A\"".to_vec());
        cache.put(Kind::Sources, Key::new(Kind::Sources, &[b"b.rs", b"fn b() {}"]), b"\"B\"".to_vec());
        cache
    }

    fn pack_of(cache: &Cache, kind: Kind) -> Vec<u8> {
        cache.packs_to_write().into_iter().find(|(k, _)| *k == kind).map(|(_, bytes)| bytes).expect("a pack")
    }

    #[test]
    fn keys_separate_their_parts() {
        let key = |parts: &[&[u8]]| Key::new(Kind::Sources, parts);
        assert_ne!(key(&[b"ab", b"c"]), key(&[b"a", b"bc"]));
        assert_ne!(Key::new(Kind::Sources, &[b"x"]), Key::new(Kind::Modules, &[b"x"]));
        assert_eq!(key(&[b"a", b"b"]), key(&[b"a", b"b"]));
    }

    #[test]
    fn a_pack_reads_back_what_was_kept_and_writes_the_same_bytes_again() {
        let bytes = pack_of(&filled(), Kind::Sources);
        let mut cache = Cache::empty();
        assert_eq!(cache.read_pack(Kind::Sources, &bytes), Ok(2));
        let key = Key::new(Kind::Sources, &[b"a.rs", b"fn a() {}"]);
        let value: String = cache.get_or_work(Kind::Sources, key, || unreachable!("found"));
        assert_eq!(value, "A");
        // Only `a.rs` was used: the next pack holds it alone.
        let next = pack_of(&cache, Kind::Sources);
        let mut again = Cache::empty();
        assert_eq!(again.read_pack(Kind::Sources, &next), Ok(1));
        // Using every entry and adding none leaves the pack as it is: nothing to write.
        let _: String = again.get_or_work(Kind::Sources, key, || unreachable!("found"));
        assert!(again.packs_to_write().is_empty());
        // The same entries give the same bytes, whatever order they came in.
        let other = Cache::empty();
        other.put(Kind::Sources, Key::new(Kind::Sources, &[b"b.rs", b"fn b() {}"]), b"\"B\"".to_vec());
        other.put(Kind::Sources, Key::new(Kind::Sources, &[b"a.rs", b"fn a() {}"]), b"\"A\"".to_vec());
        assert_eq!(pack_of(&other, Kind::Sources), bytes);
    }

    #[test]
    fn packs_that_cannot_be_trusted_are_refused_with_a_reason() {
        let bytes = pack_of(&filled(), Kind::Sources);
        let mut cache = Cache::empty();
        assert_eq!(cache.read_pack(Kind::Sources, b"garbage"), Err(PackError::NotACache));
        assert_eq!(cache.read_pack(Kind::Sources, b""), Err(PackError::NotACache));
        for cut in [9, 20, bytes.len() / 2, bytes.len() - 1] {
            assert!(
                matches!(
                    cache.read_pack(Kind::Sources, &bytes[..cut]),
                    Err(PackError::Truncated | PackError::Damaged)
                ),
                "cut at {cut}"
            );
        }
        let mut flipped = bytes.clone();
        let last_value_byte = flipped.len() - 9;
        flipped[last_value_byte] ^= 1;
        assert_eq!(cache.read_pack(Kind::Sources, &flipped), Err(PackError::Damaged));
        assert_eq!(cache.read_pack(Kind::Modules, &bytes), Err(PackError::OtherKind));
        // Another build's pack: same layout, another build id.
        let mut foreign = Vec::new();
        foreign.extend_from_slice(MAGIC);
        foreign.extend_from_slice(&FORMAT.to_le_bytes());
        foreign.extend_from_slice(&5u32.to_le_bytes());
        foreign.extend_from_slice(b"0.0.1");
        foreign.extend_from_slice(&bytes[MAGIC.len() + 8 + BUILD_ID.len()..]);
        assert_eq!(cache.read_pack(Kind::Sources, &foreign), Err(PackError::OtherBuild("0.0.1".into())));
        // After a refusal the kind is empty and work is done again.
        let key = Key::new(Kind::Sources, &[b"a.rs", b"fn a() {}"]);
        assert_eq!(cache.get_or_work(Kind::Sources, key, || "worked".to_owned()), "worked");
    }

    #[test]
    fn a_value_that_does_not_read_back_is_worked_out_again() {
        let cache = Cache::empty();
        let key = Key::new(Kind::Sources, &[b"a.rs"]);
        cache.put(Kind::Sources, key, b"not json".to_vec());
        let mut reread = Cache::empty();
        reread.read_pack(Kind::Sources, &pack_of(&cache, Kind::Sources)).unwrap();
        assert_eq!(reread.get_or_work(Kind::Sources, key, || 7u32), 7);
    }

    #[test]
    fn a_disabled_cache_always_works_and_keeps_nothing() {
        let cache = Cache::disabled();
        let key = Key::new(Kind::Sources, &[b"a.rs"]);
        assert_eq!(cache.get_or_work(Kind::Sources, key, || 1u8), 1);
        assert!(cache.packs_to_write().is_empty());
    }
}
