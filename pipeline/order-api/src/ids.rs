//! New order ids, and correlation ids for requests that come without one.

use std::sync::atomic::{AtomicU64, Ordering};

/// Makes ids that no other order or request has.
pub trait IdGenerator {
    /// A new id.
    fn next_id(&self) -> String;
}

/// Random UUID v4 ids, as the deployed function uses.
#[derive(Clone, Copy, Debug, Default)]
pub struct UuidIds;

impl IdGenerator for UuidIds {
    fn next_id(&self) -> String {
        uuid::Uuid::new_v4().to_string()
    }
}

/// The ids `<prefix>-1`, `<prefix>-2`, ... in turn, for tests and the end-to-end run, which must
/// know the ids in advance.
#[derive(Debug)]
pub struct SequentialIds {
    prefix: String,
    issued: AtomicU64,
}

impl SequentialIds {
    /// Ids that start with `prefix`.
    pub fn new(prefix: impl Into<String>) -> SequentialIds {
        SequentialIds { prefix: prefix.into(), issued: AtomicU64::new(0) }
    }
}

impl IdGenerator for SequentialIds {
    fn next_id(&self) -> String {
        let number = self.issued.fetch_add(1, Ordering::Relaxed) + 1;
        format!("{}-{number}", self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequential_ids_count_up_from_one() {
        let ids = SequentialIds::new("order");
        assert_eq!([ids.next_id(), ids.next_id()], ["order-1", "order-2"]);
    }

    #[test]
    fn uuid_ids_differ() {
        assert_ne!(UuidIds.next_id(), UuidIds.next_id());
    }
}
