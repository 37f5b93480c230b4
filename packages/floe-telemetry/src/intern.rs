//! Strings kept once for the life of the process.
//!
//! A string the SDK holds as `&'static str` is cloned by copying a pointer. A reference
//! counted one costs an atomic increment per clone and a decrement per drop, and a span's
//! values are dropped on the export thread: the two threads then contend for the count
//! (in the `span_floor` bench that was most of what a `Value::clone` cost). Only values that
//! a process sets a bounded number of times are interned: tracer names (one per plugin) and
//! the process default's `floe.*` attributes (set at start-up).

use std::collections::HashSet;
use std::sync::{LazyLock, Mutex, PoisonError};

static INTERNED: LazyLock<Mutex<HashSet<&'static str>>> = LazyLock::new(Mutex::default);

/// `text` as a `&'static str`, leaked the first time it is seen and shared after that.
pub(crate) fn interned(text: &str) -> &'static str {
    let mut known = INTERNED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(kept) = known.get(text) {
        return kept;
    }
    let leaked: &'static str = Box::leak(text.into());
    known.insert(leaked);
    leaked
}

#[cfg(test)]
mod tests {
    use super::interned;

    #[test]
    fn equal_texts_share_one_copy_and_different_ones_do_not() {
        let first = interned(&String::from("floe.intern.test"));
        let second = interned(&String::from("floe.intern.test"));
        assert!(std::ptr::eq(first, second), "one copy per distinct text");
        assert_eq!(first, "floe.intern.test");
        let other = interned("floe.intern.other");
        assert_ne!(other, first);
    }
}
