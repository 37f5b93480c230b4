//! Where an open domain span lives: inside its `DomainSpan` (no allocation) until a
//! `SpanRecorder` is cloned from it, then in one allocation every clone shares.
//!
//! The span is not put in its OpenTelemetry [`Context`](opentelemetry::Context): that
//! costs a boxed copy of the span and a lock per write, for every span, and only the span
//! layer writes to a domain span. The span's context, made when first asked for, carries
//! the span's `SpanContext` instead, which is all a child, a `traceparent` or a sampler
//! reads; a span nobody asks the context of (a health check, a dbt node) never makes one.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use opentelemetry_sdk::trace::Span as SdkSpan;

/// An open span and what the layer knows about it.
#[derive(Debug)]
pub(crate) struct Open {
    /// The SDK's span.
    pub(crate) span: SdkSpan,
    /// Marked failed by `fail_soft`: ends `Error` even if the operation succeeds.
    pub(crate) soft_failed: bool,
}

#[derive(Debug)]
#[expect(
    clippy::large_enum_variant,
    reason = "the span is kept inline on purpose: no allocation for a span no recorder shares"
)]
enum Place {
    /// In the slot itself: no recorder was cloned.
    Own(Open),
    /// Shared with the recorders cloned from this slot.
    Shared(Arc<Mutex<Open>>),
    /// Only while `share` moves the span out of line (under the slot's lock).
    Moving,
}

/// One `SpanRecorder`'s access to its span.
#[derive(Debug)]
pub(crate) struct Slot(Mutex<Place>);

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Slot {
    /// A slot holding `span`.
    pub(crate) fn new(span: SdkSpan) -> Self {
        Self(Mutex::new(Place::Own(Open { span, soft_failed: false })))
    }

    /// Runs `f` on the open span (`None` only while another thread shares it out of line,
    /// which holds the same lock, so never).
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut Open) -> R) -> Option<R> {
        let mut place = lock(&self.0);
        match &mut *place {
            Place::Own(open) => Some(f(open)),
            Place::Shared(shared) => Some(f(&mut lock(shared))),
            Place::Moving => None,
        }
    }

    /// A slot sharing this one's span, moving it out of line the first time.
    pub(crate) fn share(&self) -> Self {
        let mut place = lock(&self.0);
        let shared = match std::mem::replace(&mut *place, Place::Moving) {
            Place::Own(open) => Arc::new(Mutex::new(open)),
            Place::Shared(shared) => shared,
            Place::Moving => return Self(Mutex::new(Place::Moving)),
        };
        *place = Place::Shared(Arc::clone(&shared));
        Self(Mutex::new(Place::Shared(shared)))
    }
}
