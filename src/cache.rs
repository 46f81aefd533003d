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
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, RwLock};
use xxhash_rust::xxh3::{Xxh3, xxh3_64};

/// This build: its version and a hash of its sources, set by `build.rs`.
pub const BUILD_ID: &str = env!("FLOWDOC_BUILD_ID");

/// The layout of a pack file; changes when the layout does.
const FORMAT: u32 = 3;

/// Values are compressed in blocks of this size: LZ4 looks back 64 KiB at most, so blocks lose
/// next to nothing against one, and the blocks of a large value (a command's whole output) are
/// compressed on all cores.
const BLOCK: usize = 1 << 20;

/// What a pack file starts with.
const MAGIC: &[u8; 8] = b"FDCACHE\n";

/// What an entry holds, and the pack it lives in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// What a source file holds: its annotations, event types and `mod` declarations.
    Sources,
    /// A loaded template.
    Templates,
    /// A picture, drawn.
    Pictures,
    /// A command's whole output, with the trace of what its run read (see [`crate::trace`]).
    Runs,
}

impl Kind {
    /// Every kind, in pack order.
    pub const ALL: [Kind; 4] = [Kind::Sources, Kind::Templates, Kind::Pictures, Kind::Runs];

    /// The name of its pack file.
    pub fn file_name(self) -> &'static str {
        match self {
            Kind::Sources => "sources.pack",
            Kind::Templates => "templates.pack",
            Kind::Pictures => "pictures.pack",
            Kind::Runs => "runs.pack",
        }
    }

    fn tag(self) -> u8 {
        match self {
            Kind::Sources => 1,
            Kind::Templates => 3,
            Kind::Pictures => 4,
            Kind::Runs => 5,
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

/// Reads the pack file of a kind: its bytes, None when there is none, or why it cannot be read.
pub type Loader = dyn Fn(Kind) -> Result<Option<Vec<u8>>, String> + Send + Sync;

/// The entries of one kind: those of its pack file (read when the kind is first looked up), and
/// those this run used or added.
#[derive(Debug, Default)]
struct Pack {
    state: RwLock<State>,
    /// Entries this run used or added, which the next pack holds.
    now: Mutex<BTreeMap<Key, Entry>>,
    /// Lookups that found their value, and values worked out.
    hits: AtomicUsize,
    misses: AtomicUsize,
}

/// An entry of the next pack.
#[derive(Debug)]
enum Entry {
    /// Used as the old pack holds it (copied out of it when the kind settles).
    Kept,
    /// Added: its value as packs hold it (compressed).
    Packed(Vec<u8>),
    /// Added by [`Cache::put_value`]: its value, compressed later (see [`Cache::pack_added`]).
    Raw(Vec<u8>),
}

impl Entry {
    /// The value as the pack holds it; None for one still to be copied or compressed.
    fn packed(&self) -> Option<&[u8]> {
        match self {
            Entry::Packed(value) => Some(value),
            Entry::Kept | Entry::Raw(_) => None,
        }
    }
}

/// Where a pack is in its run.
#[derive(Debug, Default)]
enum State {
    /// Its file has not been needed yet.
    #[default]
    Unread,
    /// Its file as read: the bytes, and where each entry's value lies in them.
    Read { bytes: Vec<u8>, entries: HashMap<Key, Range<usize>> },
    /// The run is done with it: the old one is let go; what is left to write is in `now`.
    Settled,
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
pub struct Cache {
    enabled: bool,
    packs: BTreeMap<Kind, Pack>,
    loader: Option<Box<Loader>>,
    /// Packs that were not used, and why.
    refused: Mutex<Vec<(Kind, String)>>,
}

impl fmt::Debug for Cache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cache")
            .field("enabled", &self.enabled)
            .field("packs", &self.packs)
            .finish_non_exhaustive()
    }
}

impl Default for Cache {
    fn default() -> Cache {
        Cache::disabled()
    }
}

impl Cache {
    /// No cache: nothing is found, nothing kept.
    pub const fn disabled() -> Cache {
        Cache { enabled: false, packs: BTreeMap::new(), loader: None, refused: Mutex::new(Vec::new()) }
    }

    /// A cache with no entries yet, which keeps what the run adds.
    pub fn empty() -> Cache {
        Cache {
            enabled: true,
            packs: Kind::ALL.iter().map(|kind| (*kind, Pack::default())).collect(),
            loader: None,
            refused: Mutex::new(Vec::new()),
        }
    }

    /// A cache whose packs `loader` reads, each when its kind is first looked up.
    pub fn with_loader(loader: Box<Loader>) -> Cache {
        Cache { loader: Some(loader), ..Cache::empty() }
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

    /// The packs that could not be read or were not trusted, and why; the run worked their
    /// entries out again.
    pub fn refused(&self) -> Vec<(Kind, String)> {
        lock(&self.refused).clone()
    }

    /// Reads the pack of `kind` from `bytes`, replacing the entries of that kind; how many it
    /// holds. A pack that is refused leaves the kind empty.
    pub fn read_pack(&mut self, kind: Kind, bytes: Vec<u8>) -> Result<usize, PackError> {
        let Some(pack) = self.packs.get_mut(&kind) else { return Ok(0) };
        let state = pack.state.get_mut().unwrap_or_else(std::sync::PoisonError::into_inner);
        *state = State::Read { bytes: Vec::new(), entries: HashMap::new() };
        let entries = decode(kind, &bytes)?;
        let count = entries.len();
        *state = State::Read { bytes, entries };
        Ok(count)
    }

    /// The state of `kind`'s pack, its file read if this is the first look.
    fn state<'p>(&self, kind: Kind, pack: &'p Pack) -> std::sync::RwLockReadGuard<'p, State> {
        {
            let state = read(&pack.state);
            if !matches!(*state, State::Unread) {
                return state;
            }
        }
        let mut state = write(&pack.state);
        if matches!(*state, State::Unread) {
            let loaded = match self.loader.as_ref().map(|loader| loader(kind)) {
                Some(Ok(Some(bytes))) => match decode(kind, &bytes) {
                    Ok(entries) => Some((bytes, entries)),
                    Err(why) => {
                        lock(&self.refused).push((kind, why.to_string()));
                        None
                    }
                },
                Some(Err(why)) => {
                    lock(&self.refused).push((kind, why));
                    None
                }
                Some(Ok(None)) | None => None,
            };
            let (bytes, entries) = loaded.unwrap_or_default();
            *state = State::Read { bytes, entries };
        }
        drop(state);
        read(&pack.state)
    }

    /// The value of `kind` under `key`, read back with `read`; None when there is none or it
    /// does not read back.
    pub fn get<T>(&self, kind: Kind, key: Key, read: impl FnOnce(&[u8]) -> Option<T>) -> Option<T> {
        self.look_up(kind, key, |kept| decompress_with(kept, read))
    }

    /// The value of `kind` under `key` as it is kept, packed, when it unpacks and `check` finds
    /// it good; for values that wait in memory (see [`Packed`]).
    pub fn get_packed(&self, kind: Kind, key: Key, check: impl FnOnce(&[u8]) -> bool) -> Option<Packed> {
        self.look_up(kind, key, |kept| {
            decompress_with(kept, |value| check(value).then_some(()))?;
            Some(Packed(kept.to_vec()))
        })
    }

    /// Keeps `value`, packed already, under `key` for the next run.
    pub fn put_packed(&self, kind: Kind, key: Key, value: &Packed) {
        if let Some(pack) = self.packs.get(&kind) {
            lock(&pack.now).insert(key, Entry::Packed(value.0.clone()));
        }
    }

    /// `read` of the kept (compressed) value under `key`, counting the hit or the miss.
    fn look_up<T>(&self, kind: Kind, key: Key, read: impl FnOnce(&[u8]) -> Option<T>) -> Option<T> {
        let pack = self.packs.get(&kind)?;
        let value = {
            let state = self.state(kind, pack);
            match &*state {
                State::Read { bytes, entries } => {
                    entries.get(&key).and_then(|range| read(&bytes[range.clone()]))
                }
                State::Unread | State::Settled => None,
            }
        };
        let Some(value) = value else {
            pack.misses.fetch_add(1, Ordering::Relaxed);
            return None;
        };
        pack.hits.fetch_add(1, Ordering::Relaxed);
        lock(&pack.now).insert(key, Entry::Kept);
        Some(value)
    }

    /// Keeps `value` under `key` for the next run.
    pub fn put(&self, kind: Kind, key: Key, value: &[u8]) {
        if let Some(pack) = self.packs.get(&kind) {
            lock(&pack.now).insert(key, Entry::Packed(compress(value)));
        }
    }

    /// Keeps `value` under `key` in postcard's binary form, for [`Cache::get_value`]; it is
    /// compressed later ([`Cache::pack_added`], or when the pack is written), so that the work
    /// that made it goes on. The value is written into a buffer of this thread, kept from one
    /// value to the next, and copied out at its size: values of a megabyte or more, written on
    /// many threads into new buffers each time, would leave the allocator holding their memory
    /// long after.
    pub fn put_value<T: Serialize>(&self, kind: Kind, key: Key, value: &T) {
        thread_local! {
            static VALUE: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        let Some(pack) = self.packs.get(&kind) else { return };
        VALUE.with_borrow_mut(|buffer| {
            buffer.clear();
            // A value that does not serialise is not kept (flowdoc's own types always do).
            if let Ok(written) = postcard::to_extend(value, std::mem::take(buffer)) {
                lock(&pack.now).insert(key, Entry::Raw(written.as_slice().to_vec()));
                *buffer = written;
            }
        });
    }

    /// Compresses the values added by [`Cache::put_value`] so far, of every kind: for a thread
    /// that has nothing else to do (the pack to write would otherwise do it on the one thread
    /// that writes it).
    pub fn pack_added(&self) {
        for pack in self.packs.values() {
            pack_raw(pack);
        }
    }

    /// The value kept by [`Cache::put_value`] under `key`, if it reads back whole.
    pub fn get_value<T: DeserializeOwned>(&self, kind: Kind, key: Key) -> Option<T> {
        self.get(kind, key, |bytes| match postcard::take_from_bytes(bytes) {
            Ok((value, [])) => Some(value),
            _ => None,
        })
    }

    /// The value under `key`, or `work`'s, which is then kept (see [`Cache::put_value`]).
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
        self.put_value(kind, key, &value);
        value
    }

    /// Ends the run's use of `kind`: the old pack's memory is let go, the values still needed
    /// copied out of it first; when the entries are exactly the old pack's, there is nothing
    /// to write. Later lookups of the kind find nothing. The pack to write is made only by
    /// [`Cache::packs_to_write`], at the end of the run, when the output no longer needs its
    /// memory.
    pub fn settle(&self, kind: Kind) {
        let Some(pack) = self.packs.get(&kind) else { return };
        pack_raw(pack);
        let mut state = write(&pack.state);
        let mut now = lock(&pack.now);
        if let State::Read { bytes, entries } = &*state {
            let unchanged = now.len() == entries.len()
                && now.iter().all(|(key, value)| matches!(value, Entry::Kept) && entries.contains_key(key));
            if unchanged {
                now.clear();
            } else {
                for (key, value) in now.iter_mut() {
                    if matches!(value, Entry::Kept)
                        && let Some(range) = entries.get(key)
                    {
                        *value = Entry::Packed(bytes[range.clone()].to_vec());
                    }
                }
            }
        }
        *state = State::Settled;
    }

    /// The packs to write: of each kind this run used, its entries now, unless they are exactly
    /// those already in its file. Entries are in key order, so the same entries make the same
    /// bytes. Settles every kind.
    pub fn packs_to_write(&self) -> Vec<(Kind, Vec<u8>)> {
        let mut packs = Vec::new();
        for (kind, pack) in &self.packs {
            self.settle(*kind);
            let now = std::mem::take(&mut *lock(&pack.now));
            if !now.is_empty() {
                packs.push((
                    *kind,
                    encode(*kind, now.iter().filter_map(|(key, value)| Some((*key, value.packed()?)))),
                ));
            }
        }
        packs
    }
}

/// A value packed as the cache keeps it (LZ4, its size first): a large text that must wait in
/// memory — a picture until the docs are written — takes a fraction of its size this way, and
/// the cache's own copy needs no second compression. Made only from a value ([`Packed::new`]) or
/// from the cache after unpacking it once ([`Cache::get_packed`]), so it always unpacks.
#[derive(Clone, PartialEq, Eq)]
pub struct Packed(Vec<u8>);

impl Packed {
    /// `value`, packed.
    pub fn new(value: &[u8]) -> Packed {
        Packed(compress(value))
    }

    /// The value, unpacked.
    pub fn unpack(&self) -> Vec<u8> {
        // Cannot fail: see the type.
        decompress_with(&self.0, |value| Some(value.to_vec())).unwrap_or_default()
    }
}

impl fmt::Debug for Packed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Packed({} bytes)", self.0.len())
    }
}

/// Compresses `pack`'s raw entries.
fn pack_raw(pack: &Pack) {
    for value in lock(&pack.now).values_mut() {
        if let Entry::Raw(raw) = value {
            *value = Entry::Packed(compress(raw));
        }
    }
}

/// `value` compressed: its length, then its blocks of [`BLOCK`] bytes, each LZ4-compressed after
/// its compressed length. The compressor works in a buffer of this thread sized for the worst
/// case of one block, and each block keeps only what it used: thousands of worst-case
/// allocations shrunk one by one would leave memory in pieces.
fn compress(value: &[u8]) -> Vec<u8> {
    let blocks: Vec<&[u8]> = value.chunks(BLOCK).collect();
    // One thread (this one) for a value of a block or two; all cores for a larger one.
    let threads = if blocks.len() > 2 { 0 } else { 1 };
    let workers = crate::parallel::Workers { threads, stack: 0, name: "flowdoc-lz4" };
    let compressed = crate::parallel::map_all(&blocks, workers, |block| compress_block(block));
    let mut kept = Vec::with_capacity(4 + compressed.iter().map(|block| 4 + block.len()).sum::<usize>());
    kept.extend_from_slice(&u32::try_from(value.len()).unwrap_or(u32::MAX).to_le_bytes());
    for block in compressed {
        kept.extend_from_slice(&u32::try_from(block.len()).unwrap_or(u32::MAX).to_le_bytes());
        kept.extend_from_slice(&block);
    }
    kept
}

/// One block of at most [`BLOCK`] bytes, LZ4-compressed through a buffer of this thread.
fn compress_block(block: &[u8]) -> Vec<u8> {
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUFFER.with_borrow_mut(|buffer| {
        buffer.resize(lz4_flex::block::get_maximum_output_size(block.len()), 0);
        match lz4_flex::block::compress_into(block, buffer) {
            Ok(used) => buffer[..used].to_vec(),
            // Cannot happen with a buffer of the worst case's size.
            Err(_) => lz4_flex::block::compress(block),
        }
    })
}

/// `read` of a value as kept, decompressed; None when it does not decompress. Its stated size is
/// held to what LZ4 can make of its length, so that no value can ask for more memory than that.
fn decompress_with<T>(kept: &[u8], read: impl FnOnce(&[u8]) -> Option<T>) -> Option<T> {
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let (size, mut blocks) = kept.split_first_chunk::<4>()?;
    let size = u32::from_le_bytes(*size) as usize;
    if size > blocks.len().saturating_mul(255).saturating_add(16) {
        return None;
    }
    // Into a buffer of this thread, kept from one value to the next (see `put_value`).
    BUFFER.with_borrow_mut(|buffer| {
        buffer.resize(size, 0);
        let mut at = 0;
        while at < size {
            let (length, rest) = blocks.split_first_chunk::<4>()?;
            let length = u32::from_le_bytes(*length) as usize;
            let block = rest.get(..length)?;
            blocks = &rest[length..];
            let end = size.min(at + BLOCK);
            let used = lz4_flex::block::decompress_into(block, &mut buffer[at..end]).ok()?;
            (used == end - at).then_some(())?;
            at = end;
        }
        blocks.is_empty().then_some(())?;
        read(&buffer[..size])
    })
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(std::sync::PoisonError::into_inner)
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
fn decode(kind: Kind, bytes: &[u8]) -> Result<HashMap<Key, Range<usize>>, PackError> {
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
        let start = reader.at;
        reader.take(len)?;
        entries.insert(key, start..reader.at);
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
        cache.put_value(Kind::Sources, Key::new(Kind::Sources, &[b"a.rs", b"fn a() {}"]), &"A");
        cache.put_value(Kind::Sources, Key::new(Kind::Sources, &[b"b.rs", b"fn b() {}"]), &"B");
        cache
    }

    fn pack_of(cache: &Cache, kind: Kind) -> Vec<u8> {
        cache.packs_to_write().into_iter().find(|(k, _)| *k == kind).map(|(_, bytes)| bytes).expect("a pack")
    }

    #[test]
    fn packed_values_are_kept_as_put_and_checked_when_taken() {
        let picture = "<svg>a picture</svg>".repeat(100);
        let packed = Packed::new(picture.as_bytes());
        assert_eq!(packed.unpack(), picture.as_bytes());
        let cache = Cache::empty();
        let key = Key::new(Kind::Pictures, &[b"picture"]);
        cache.put_packed(Kind::Pictures, key, &packed);
        let mut reread = Cache::empty();
        reread.read_pack(Kind::Pictures, pack_of(&cache, Kind::Pictures)).unwrap();
        // A value the check refuses is a miss; one it accepts comes back as it was packed, and
        // reads back as `get` reads it.
        assert_eq!(reread.get_packed(Kind::Pictures, key, |_| false), None);
        assert_eq!(reread.get_packed(Kind::Pictures, key, |bytes| bytes.starts_with(b"<svg>")), Some(packed));
        assert_eq!(reread.get(Kind::Pictures, key, |bytes| Some(bytes.to_vec())), Some(picture.into_bytes()));
        assert_eq!(reread.usage(Kind::Pictures), Usage { hits: 2, misses: 1 });
        let missing = Key::new(Kind::Pictures, &[b"another"]);
        assert_eq!(reread.get_packed(Kind::Pictures, missing, |_| true), None);
    }

    #[test]
    fn values_put_are_written_compressed_whether_packed_early_or_with_the_pack() {
        let value = "a value that compresses, ".repeat(40);
        let key = Key::new(Kind::Templates, &[b"t.yaml"]);
        let mut packs = Vec::new();
        for early in [false, true] {
            let cache = Cache::empty();
            cache.put_value(Kind::Templates, key, &value);
            if early {
                cache.pack_added();
                // Packed once: a second call finds nothing left to do.
                cache.pack_added();
            }
            let pack = pack_of(&cache, Kind::Templates);
            assert!(pack.len() < value.len() / 2, "compressed: {} bytes", pack.len());
            let mut reread = Cache::empty();
            reread.read_pack(Kind::Templates, pack.clone()).unwrap();
            assert_eq!(reread.get_value::<String>(Kind::Templates, key), Some(value.clone()));
            packs.push(pack);
        }
        assert_eq!(packs[0], packs[1]);
    }

    #[test]
    fn keys_separate_their_parts() {
        let key = |parts: &[&[u8]]| Key::new(Kind::Sources, parts);
        assert_ne!(key(&[b"ab", b"c"]), key(&[b"a", b"bc"]));
        assert_ne!(Key::new(Kind::Sources, &[b"x"]), Key::new(Kind::Templates, &[b"x"]));
        assert_eq!(key(&[b"a", b"b"]), key(&[b"a", b"b"]));
    }

    #[test]
    fn a_pack_reads_back_what_was_kept_and_writes_the_same_bytes_again() {
        let bytes = pack_of(&filled(), Kind::Sources);
        let mut cache = Cache::empty();
        assert_eq!(cache.read_pack(Kind::Sources, bytes.clone()), Ok(2));
        let key = Key::new(Kind::Sources, &[b"a.rs", b"fn a() {}"]);
        let value: String = cache.get_or_work(Kind::Sources, key, || unreachable!("found"));
        assert_eq!(value, "A");
        // Only `a.rs` was used: the next pack holds it alone.
        let next = pack_of(&cache, Kind::Sources);
        let mut again = Cache::empty();
        assert_eq!(again.read_pack(Kind::Sources, next), Ok(1));
        // Using every entry and adding none leaves the pack as it is: nothing to write.
        let _: String = again.get_or_work(Kind::Sources, key, || unreachable!("found"));
        assert!(again.packs_to_write().is_empty());
        // The same entries give the same bytes, whatever order they came in.
        let other = Cache::empty();
        other.put_value(Kind::Sources, Key::new(Kind::Sources, &[b"b.rs", b"fn b() {}"]), &"B");
        other.put_value(Kind::Sources, Key::new(Kind::Sources, &[b"a.rs", b"fn a() {}"]), &"A");
        assert_eq!(pack_of(&other, Kind::Sources), bytes);
    }

    #[test]
    fn packs_that_cannot_be_trusted_are_refused_with_a_reason() {
        let bytes = pack_of(&filled(), Kind::Sources);
        let mut cache = Cache::empty();
        assert_eq!(cache.read_pack(Kind::Sources, b"garbage".to_vec()), Err(PackError::NotACache));
        assert_eq!(cache.read_pack(Kind::Sources, Vec::new()), Err(PackError::NotACache));
        for cut in [9, 20, bytes.len() / 2, bytes.len() - 1] {
            assert!(
                matches!(
                    cache.read_pack(Kind::Sources, bytes[..cut].to_vec()),
                    Err(PackError::Truncated | PackError::Damaged)
                ),
                "cut at {cut}"
            );
        }
        let mut flipped = bytes.clone();
        let last_value_byte = flipped.len() - 9;
        flipped[last_value_byte] ^= 1;
        assert_eq!(cache.read_pack(Kind::Sources, flipped), Err(PackError::Damaged));
        assert_eq!(cache.read_pack(Kind::Pictures, bytes.clone()), Err(PackError::OtherKind));
        // Another build's pack: same layout, another build id.
        let mut foreign = Vec::new();
        foreign.extend_from_slice(MAGIC);
        foreign.extend_from_slice(&FORMAT.to_le_bytes());
        foreign.extend_from_slice(&5u32.to_le_bytes());
        foreign.extend_from_slice(b"0.0.1");
        foreign.extend_from_slice(&bytes[MAGIC.len() + 8 + BUILD_ID.len()..]);
        assert_eq!(cache.read_pack(Kind::Sources, foreign), Err(PackError::OtherBuild("0.0.1".into())));
        // After a refusal the kind is empty and work is done again.
        let key = Key::new(Kind::Sources, &[b"a.rs", b"fn a() {}"]);
        assert_eq!(cache.get_or_work(Kind::Sources, key, || "worked".to_owned()), "worked");
    }

    #[test]
    fn a_value_that_does_not_read_back_is_worked_out_again() {
        let cache = Cache::empty();
        let key = Key::new(Kind::Sources, &[b"a.rs"]);
        // Not a number (a varint longer than any), and a number with bytes left over.
        cache.put(Kind::Sources, key, &[0xff; 8]);
        let other = Key::new(Kind::Sources, &[b"b.rs"]);
        cache.put(Kind::Sources, other, &[5, 5]);
        let mut reread = Cache::empty();
        reread.read_pack(Kind::Sources, pack_of(&cache, Kind::Sources)).unwrap();
        assert_eq!(reread.get_or_work(Kind::Sources, key, || 7u32), 7);
        assert_eq!(reread.get_or_work(Kind::Sources, other, || 7u32), 7);
        assert_eq!(reread.usage(Kind::Sources), Usage { hits: 0, misses: 2 });
    }

    #[test]
    fn packs_are_read_when_their_kind_is_first_needed_and_refusals_are_told() {
        let sources = pack_of(&filled(), Kind::Sources);
        let asked = std::sync::Arc::new(Mutex::new(Vec::new()));
        let seen = std::sync::Arc::clone(&asked);
        let cache = Cache::with_loader(Box::new(move |kind| {
            lock(&seen).push(kind);
            match kind {
                Kind::Sources => Ok(Some(sources.clone())),
                Kind::Templates => Ok(Some(b"garbage".to_vec())),
                Kind::Pictures => Err("cannot be read: denied".to_owned()),
                Kind::Runs => Ok(None),
            }
        }));
        assert!(lock(&asked).is_empty(), "nothing read before it is needed");
        let key = Key::new(Kind::Sources, &[b"a.rs", b"fn a() {}"]);
        assert_eq!(cache.get_or_work(Kind::Sources, key, || "worked".to_owned()), "A");
        assert_eq!(cache.get_or_work(Kind::Sources, key, || "worked".to_owned()), "A");
        assert_eq!(*lock(&asked), [Kind::Sources], "read once");
        for kind in [Kind::Templates, Kind::Pictures, Kind::Runs] {
            assert_eq!(cache.get_or_work(kind, key, || 1u8), 1);
        }
        assert_eq!(
            cache.refused(),
            [
                (Kind::Templates, "not a flowdoc cache".to_owned()),
                (Kind::Pictures, "cannot be read: denied".to_owned())
            ]
        );
        assert_eq!(cache.usage(Kind::Sources), Usage { hits: 2, misses: 0 });
    }

    #[test]
    fn large_values_are_kept_in_blocks_and_read_back_whole() {
        let copy = |bytes: &[u8]| Some(bytes.to_vec());
        // Three and a half blocks, compressed on the worker threads; and the edges of a block.
        let large: Vec<u8> = (0..BLOCK * 7 / 2).map(|at| (at % 251) as u8 ^ (at / 4093) as u8).collect();
        for value in [&large[..], &large[..BLOCK], &large[..BLOCK + 1], &large[..0]] {
            let kept = compress(value);
            assert_eq!(decompress_with(&kept, copy).as_deref(), Some(value));
            // A block cut short or followed by anything is not a value.
            if !value.is_empty() {
                assert_eq!(decompress_with(&kept[..kept.len() - 1], copy), None);
            }
            let mut longer = kept.clone();
            longer.push(0);
            assert_eq!(decompress_with(&longer, copy), None);
        }
    }

    #[test]
    fn a_value_claiming_more_than_lz4_can_make_is_not_read() {
        let mut claim = (1u32 << 31).to_le_bytes().to_vec();
        claim.extend_from_slice(&[0x10, b'x']);
        let copy = |bytes: &[u8]| Some(bytes.to_vec());
        assert_eq!(decompress_with(&claim, copy), None);
        assert_eq!(decompress_with(&compress(b"abc"), copy).as_deref(), Some(&b"abc"[..]));
        assert_eq!(decompress_with(b"ab", copy), None);
    }

    #[test]
    fn settling_lets_the_old_pack_go_and_keeps_what_to_write() {
        let bytes = pack_of(&filled(), Kind::Sources);
        let mut cache = Cache::empty();
        cache.read_pack(Kind::Sources, bytes).unwrap();
        let key = Key::new(Kind::Sources, &[b"a.rs", b"fn a() {}"]);
        let _: String = cache.get_or_work(Kind::Sources, key, || unreachable!("found"));
        cache.settle(Kind::Sources);
        // Settled: nothing more is found, and the pack to write holds what was used.
        assert_eq!(cache.get_or_work(Kind::Sources, key, || "again".to_owned()), "again");
        let mut next = Cache::empty();
        assert_eq!(next.read_pack(Kind::Sources, pack_of(&cache, Kind::Sources)), Ok(1));
    }

    #[test]
    fn a_disabled_cache_always_works_and_keeps_nothing() {
        let cache = Cache::disabled();
        let key = Key::new(Kind::Sources, &[b"a.rs"]);
        assert_eq!(cache.get_or_work(Kind::Sources, key, || 1u8), 1);
        assert!(cache.packs_to_write().is_empty());
    }
}
