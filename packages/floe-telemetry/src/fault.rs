//! Telemetry fault injection: with the `fault-injection` feature, the domain-span layer
//! lies in one way chosen at run time by `FLOE_FAULT`, so that a test suite can prove it
//! would notice (`cargo xtask faults`). Without the feature every hook is a constant
//! `None`/`false` and compiles away.
//!
//! The faults, by `FLOE_FAULT` value (unset or empty: none):
//! - `ok-on-failure`: [`record_failure`](crate::record_failure) still writes `error.type`
//!   and the `exception` event, but the status ends `Ok` instead of `Error` (the status is
//!   the one thing that lies, so a test has to assert the status to notice).
//! - `drop-soft-failure`: `fail_soft` (on [`DomainSpan`](crate::DomainSpan) and on
//!   [`SpanRecorder`](crate::SpanRecorder)) records nothing: the span ends as if the
//!   operation had succeeded (`Ok`). Failures of the call itself (`fail`, `end_with` on an
//!   `Err`, a panic, `#[traced]` on an `Err`) are not soft failures and stay recorded.
//! - `unset-success`: a span that succeeds ends with status `Unset` instead of `Ok`.
//! - `sanitizer-bypass`: `sanitize_with_max_len` (so `sanitize_error_message` and
//!   everything built on it) returns its input unchanged, untruncated.
//! - `drop-floe-attributes`: spans start without the [`FloeSpanAttributes`](crate::FloeSpanAttributes).
//! - `drop-category-attributes`: every attribute the caller gives (at start:
//!   `start_with`, `start_in`, `in_span`, `#[traced]`'s `fields`/`attributes`/
//!   `attributes_fn`; later: `set_attribute`/`set_attributes` on the span or a recorder)
//!   is dropped. Kept: the `FloeSpanAttributes`, and what the layer itself writes
//!   (`error.type` from `record_failure`, `floe.cancelled`), events and their attributes.
//! - `new-root`: every span starts as a new root (a new trace, no parent), as if the work
//!   had lost its context; the span's own context (for its children) keeps the other
//!   values of the parent context, `FloeSpanAttributes` included.
//! - `rename-span`: every span is named after another operation of its registry prefix
//!   (the next declared span name with the same `<category>.`, wrapping around), or
//!   `<name>_renamed` when the prefix declares no other span.
//!
//! An unknown name panics at the first span, listing the valid names.
//!
//! The hot path pays one relaxed load of a static atomic per span (the fault is read from
//! the environment once per process and cached); `cargo bench -p floe-telemetry --bench
//! span_floor` measures a domain span with this check compiled in.
//!
//! `FLOE_FAULT_REPORT=<file>`: when set, the first time the fault changes what a span
//! records in a process, one line `<fault name>` is appended to the file, so a harness can
//! tell a fault its tests missed from one their run never triggered.

#![cfg_attr(
    not(feature = "fault-injection"),
    allow(
        unreachable_pub,
        dead_code,
        reason = "without the feature only the hooks' constant `None` is used; the names and \
                  the module are public only with it"
    )
)]

use std::borrow::Cow;
use std::cell::Cell;

/// One way of lying.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    /// (a) A failure ends as `Ok`.
    OkOnFailure,
    /// (b) A soft failure is dropped.
    DropSoftFailure,
    /// (c) Success is left `Unset`.
    UnsetSuccess,
    /// (d) The sanitizer returns its input.
    SanitizerBypass,
    /// (e) `FloeSpanAttributes` are dropped.
    DropFloeAttributes,
    /// (f) The caller's attributes are dropped.
    DropCategoryAttributes,
    /// (g) Every span starts as a new root.
    NewRoot,
    /// (h) Span names are replaced.
    RenameSpan,
}

/// The `FLOE_FAULT` values, in the order of issue 17's list (a) to (h).
pub const NAMES: [&str; 8] = [
    "ok-on-failure",
    "drop-soft-failure",
    "unset-success",
    "sanitizer-bypass",
    "drop-floe-attributes",
    "drop-category-attributes",
    "new-root",
    "rename-span",
];

impl Fault {
    const ALL: [Self; 8] = [
        Self::OkOnFailure,
        Self::DropSoftFailure,
        Self::UnsetSuccess,
        Self::SanitizerBypass,
        Self::DropFloeAttributes,
        Self::DropCategoryAttributes,
        Self::NewRoot,
        Self::RenameSpan,
    ];

    /// The `FLOE_FAULT` value.
    pub(crate) fn name(self) -> &'static str {
        NAMES[self as usize]
    }

    /// The fault named `name` (`Ok(None)` for no fault), or the message of the panic.
    pub(crate) fn parse(name: &str) -> Result<Option<Self>, String> {
        let name = name.trim();
        if name.is_empty() {
            return Ok(None);
        }
        Self::ALL.into_iter().find(|f| f.name() == name).map(Some).ok_or_else(|| {
            format!("unknown FLOE_FAULT {name:?}: valid names are {}", NAMES.join(", "))
        })
    }
}

/// The name of the fault in effect in this process, if any.
///
/// # Panics
/// When `FLOE_FAULT` names no fault (the message lists the valid names).
#[cfg(feature = "fault-injection")]
pub fn active() -> Option<&'static str> {
    current().map(Fault::name)
}

/// The name `rename-span` gives to a span named `name`: the next declared span name with
/// the same prefix (wrapping around), else `<name>_renamed`.
pub(crate) fn renamed(name: &'static str) -> Cow<'static, str> {
    let spans = crate::conventions::spans();
    let prefix = name.split_once('.').map_or(name, |(prefix, _)| prefix);
    let siblings: Vec<&'static str> = spans
        .iter()
        .map(|s| s.name)
        .filter(|n| n.split_once('.').is_some_and(|(p, _)| p == prefix))
        .collect();
    let next = siblings
        .iter()
        .position(|n| *n == name)
        .map(|i| siblings[(i + 1) % siblings.len()])
        .or_else(|| siblings.first().copied())
        .filter(|n| *n != name);
    next.map_or_else(|| Cow::Owned(format!("{name}_renamed")), Cow::Borrowed)
}

#[cfg(feature = "fault-injection")]
mod state {
    use std::io::Write as _;
    use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

    use super::Fault;

    /// Not read from the environment yet.
    const UNREAD: u8 = u8::MAX;
    /// Read: no fault.
    const NONE: u8 = u8::MAX - 1;

    static STATE: AtomicU8 = AtomicU8::new(UNREAD);
    static REPORTED: AtomicBool = AtomicBool::new(false);

    /// The fault in effect: one relaxed load once the environment has been read.
    #[inline]
    pub(crate) fn current() -> Option<Fault> {
        match STATE.load(Ordering::Relaxed) {
            NONE => None,
            UNREAD => read(),
            index => Fault::ALL.get(usize::from(index)).copied(),
        }
    }

    #[cold]
    fn read() -> Option<Fault> {
        let value = std::env::var("FLOE_FAULT").unwrap_or_default();
        let fault = Fault::parse(&value).unwrap_or_else(|message| panic!("{message}"));
        let encoded = fault.map_or(NONE, |f| f as u8);
        STATE.store(encoded, Ordering::Relaxed);
        fault
    }

    /// Notes that `fault` changed what a span records (once per process).
    #[cold]
    pub(crate) fn applied(fault: Fault) {
        if REPORTED.swap(true, Ordering::Relaxed) {
            return;
        }
        let Some(path) = std::env::var_os("FLOE_FAULT_REPORT") else { return };
        let line = format!("{}\n", fault.name());
        if let Ok(mut file) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
            // A report that cannot be written only makes the harness call the cell untriggered.
            let _ = file.write_all(line.as_bytes());
        }
    }
}

#[cfg(feature = "fault-injection")]
pub(crate) use state::{applied, current};

/// Without the feature: never a fault.
#[cfg(not(feature = "fault-injection"))]
#[inline]
pub(crate) const fn current() -> Option<Fault> {
    None
}

/// Without the feature: nothing to note.
#[cfg(not(feature = "fault-injection"))]
#[inline]
pub(crate) fn applied(_fault: Fault) {}

/// `fault` is in effect; notes it as applied when it is.
#[inline]
pub(crate) fn is(fault: Fault) -> bool {
    let on = current() == Some(fault);
    if on {
        applied(fault);
    }
    on
}

/// Whether the sanitizer returns `message` unchanged (`sanitizer-bypass`). Noted as
/// applied only when the real sanitizer would have changed the text.
#[inline]
pub(crate) fn sanitizer_bypassed(message: &str, max_len: usize) -> bool {
    if current() != Some(Fault::SanitizerBypass) {
        return false;
    }
    bypass(message, max_len)
}

#[cold]
fn bypass(message: &str, max_len: usize) -> bool {
    thread_local! {
        /// Set while the real sanitizer runs for the comparison below.
        static HONEST: Cell<bool> = const { Cell::new(false) };
    }
    if HONEST.get() {
        return false;
    }
    HONEST.set(true);
    let honest = crate::sanitize_with_max_len(message, max_len);
    HONEST.set(false);
    if honest.as_str() != message {
        applied(Fault::SanitizerBypass);
    }
    true
}

#[cfg(test)]
mod tests;
