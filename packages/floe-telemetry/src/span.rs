//! The domain span: the one primitive every plugin uses to trace an operation.
//!
//! A [`DomainSpan`] is named by an [`Operation`], carries [`FloeSpanAttributes`], and ends
//! with a status that tells the truth: `Ok` on success, `Error` with a sanitized
//! description and a sanitized `exception` event on failure. Errors can only be recorded
//! through [`record_failure`], which takes a [`SanitizedMessage`]; this module is the only
//! place in the workspace that sets an error status or writes an exception event.

use std::borrow::Cow;
use std::error::Error;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use opentelemetry::trace::{
    FutureExt as _, SpanBuilder, SpanKind, SpanRef, Status, TraceContextExt as _, Tracer as _,
};
use opentelemetry::{Context, KeyValue};
use opentelemetry_sdk::trace::Span as SdkSpan;

use super::attr;
use super::attributes::FloeSpanAttributes;
use super::factory::TracerFactory;
use super::fault::{self, Fault};
use super::sanitize::{SanitizedMessage, sanitize_error_message};

/// A traced operation of a plugin or package: an enum whose variants name spans.
///
/// # Examples
/// ```
/// use floe_telemetry::Operation;
///
/// #[derive(Clone, Copy, Debug)]
/// enum AlertOp { Send }
/// impl Operation for AlertOp {
///     fn span_name(self) -> &'static str {
///         match self { Self::Send => "alert.send" }
///     }
/// }
/// assert_eq!(AlertOp::Send.span_name(), "alert.send");
/// ```
pub trait Operation: Copy {
    /// `<category>.<operation>`.
    fn span_name(self) -> &'static str;

    /// The span kind; `Client` for operations that call a remote peer.
    fn span_kind(self) -> SpanKind {
        SpanKind::Internal
    }
}

/// An open span for one operation. Ends when [`succeed`](Self::succeed),
/// [`fail`](Self::fail) or [`fail_soft`](Self::fail_soft) is called, or when dropped:
/// during a panic it ends as an error, otherwise (a cancelled future) with
/// `floe.cancelled = true` and an unset status.
///
/// The span is held as the SDK made it until something needs it in a [`Context`]
/// ([`context`](Self::context) to make it current or parent children, [`recorder`](Self::recorder)
/// to share it): a leaf span, the most common kind, is then ended the way the SDK's own
/// spans are, without the context's boxed, locked, reference-counted copy. That copy was
/// most of what a domain span cost beyond a raw SDK span (`benches/span_floor.rs`).
#[derive(Debug)]
pub struct DomainSpan {
    /// The span, until it moves into `shared`. Alone in its slot: the SDK returns the span
    /// by value, and writing it beside its parent took a second copy of it.
    direct: Mutex<Option<SdkSpan>>,
    /// The context the span's own is made from.
    parent: Context,
    /// The span in a context, once something needed that.
    shared: OnceLock<SpanRecorder>,
    /// The injected fault, read once when the span started (`fault-injection` only).
    fault: Option<Fault>,
    finished: bool,
}

/// A handle to add attributes and events to an open span, or to mark it failed without
/// failing the call (a rejected delivery, an unhealthy peer). Cheap to clone and `Send`,
/// so it can move into async work.
#[derive(Debug)]
pub struct SpanRecorder {
    cx: Context,
    /// Whether the span was marked soft-failed, shared by every clone. Allocated when the
    /// recorder is first cloned or soft-failed, not for every span: most spans are never
    /// shared, and the allocation was a tenth of a span start's cost.
    soft_failed: OnceLock<Arc<AtomicBool>>,
    /// The injected fault, read once when the span started (`fault-injection` only).
    fault: Option<Fault>,
}

impl Clone for SpanRecorder {
    fn clone(&self) -> Self {
        let shared = Arc::clone(self.soft_failed.get_or_init(Arc::default));
        Self { cx: self.cx.clone(), soft_failed: OnceLock::from(shared), fault: self.fault }
    }
}

impl DomainSpan {
    /// Starts `op` as a child of the current context.
    pub fn start(tracer_name: &str, op: impl Operation) -> Self {
        Self::start_owned(Context::current(), tracer_name, op, [])
    }

    /// Starts `op` as a child of the current context with extra attributes.
    pub fn start_with(
        tracer_name: &str,
        op: impl Operation,
        attributes: impl IntoIterator<Item = KeyValue>,
    ) -> Self {
        Self::start_owned(Context::current(), tracer_name, op, attributes)
    }

    /// Starts `op` as a child of `parent`.
    pub fn start_in(
        parent: &Context,
        tracer_name: &str,
        op: impl Operation,
        attributes: impl IntoIterator<Item = KeyValue>,
    ) -> Self {
        Self::start_owned(parent.clone(), tracer_name, op, attributes)
    }

    fn start_owned(
        parent: Context,
        tracer_name: &str,
        op: impl Operation,
        attributes: impl IntoIterator<Item = KeyValue>,
    ) -> Self {
        let fault = fault::current();
        let attributes = attributes.into_iter();
        let mut all = FloeSpanAttributes::key_values_in(&parent, attributes.size_hint().0);
        let floe_len = all.len();
        all.extend(attributes);
        let mut name = Cow::Borrowed(op.span_name());
        if let Some(fault) = fault {
            inject_at_start(fault, &mut name, &mut all, floe_len);
        }
        let root = fault.is_some_and(|f| is_new_root(f, &parent)).then(Context::new);
        let mut this = Self {
            direct: Mutex::new(None),
            parent,
            shared: OnceLock::new(),
            fault,
            finished: false,
        };
        // The span is built where it is kept: each move of it is a copy of a few hundred
        // bytes (measured by the `span_floor` bench).
        let slot = this.direct.get_mut().unwrap_or_else(PoisonError::into_inner);
        let parent = &this.parent;
        TracerFactory::global().with_tracer(tracer_name, |tracer| {
            // A literal, not the builder's `with_*` chain: that moved the builder through
            // each call and re-collected the attributes (a hundred instructions per span).
            let builder = SpanBuilder {
                span_kind: Some(op.span_kind()),
                attributes: Some(all),
                ..SpanBuilder::from_name(name)
            };
            *slot = Some(tracer.build_with_context(builder, root.as_ref().unwrap_or(parent)));
        });
        this
    }

    /// The context holding this span: attach it, or hand it to spawned work, so that
    /// nested operations become children.
    pub fn context(&self) -> &Context {
        &self.shared().cx
    }

    /// A handle for adding attributes from elsewhere.
    pub fn recorder(&self) -> SpanRecorder {
        self.shared().clone()
    }

    /// Adds an attribute (a later value for the same key wins when read).
    pub fn set_attribute(&self, attribute: KeyValue) {
        if !injected(self.fault, Fault::DropCategoryAttributes) {
            self.with_span(|span| span.set_attribute(attribute));
        }
    }

    /// Adds an event.
    pub fn add_event(&self, name: &'static str, attributes: Vec<KeyValue>) {
        self.with_span(|span| span.add_event(name, attributes));
    }

    /// Ends the span with `Ok` (or `Error` if it was marked soft-failed).
    pub fn succeed(mut self) {
        self.finished = true;
        // Ended in place: moving the SDK's span out would copy it.
        match self.direct.get_mut().unwrap_or_else(PoisonError::into_inner) {
            // Only a recorder can mark a span soft-failed, and handing one out moved it.
            Some(span) => end_ok(span, self.fault, false),
            None => self.shared().finish_ok(),
        }
    }

    /// Ends the span as failed by `error`: status `Error` with the sanitized error chain,
    /// an `exception` event and `error.type` = the error's type name.
    pub fn fail<E: Error + ?Sized>(self, error: &E) {
        self.fail_with(std::any::type_name::<E>(), describe_error(error));
    }

    /// Ends the span as failed for a reason that is not a Rust error (a health check that
    /// answered "unhealthy", a delivery the peer rejected).
    pub fn fail_soft(self, error_type: &'static str, reason: SanitizedMessage) {
        if injected(self.fault, Fault::DropSoftFailure) {
            self.succeed();
        } else {
            self.fail_with(error_type, reason);
        }
    }

    /// Ends the span as failed with `error_type` and `reason`: `fail_soft` without being a
    /// soft failure (a panic, an error that is only `Display`, for `#[traced]`).
    pub(crate) fn fail_with(mut self, error_type: &'static str, reason: SanitizedMessage) {
        self.finished = true;
        self.end_with_span(|span| {
            record_failure_on(span, error_type, reason);
            span.end();
        });
    }

    /// Ends the span from a result.
    pub fn end_with<T, E: Error>(self, result: &Result<T, E>) {
        match result {
            Ok(_) => self.succeed(),
            Err(error) => self.fail(error),
        }
    }

    /// The span's context, made from the held span the first time it is asked for.
    fn shared(&self) -> &SpanRecorder {
        self.shared.get_or_init(|| {
            let direct = self.direct.lock().unwrap_or_else(PoisonError::into_inner).take();
            let cx = match direct {
                Some(span) => self.parent.with_span(span),
                // Only once ended, and an ended span is never asked for its context.
                None => Context::new(),
            };
            SpanRecorder { cx, soft_failed: OnceLock::new(), fault: self.fault }
        })
    }

    /// Runs `f` on the span wherever it is held.
    fn with_span(&self, f: impl FnOnce(&mut dyn SpanOps)) {
        if let Some(shared) = self.shared.get() {
            return f(&mut shared.cx.span());
        }
        let mut direct = self.direct.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(span) = direct.as_mut() {
            return f(span);
        }
        drop(direct);
        // Moved into a context by another thread since `shared` was read.
        f(&mut self.shared().cx.span());
    }

    /// Runs `f` on the span as it ends, wherever it is held.
    fn end_with_span(&mut self, f: impl FnOnce(&mut dyn SpanOps)) {
        match self.direct.get_mut().unwrap_or_else(PoisonError::into_inner) {
            Some(span) => f(span),
            None => f(&mut self.shared().cx.span()),
        }
    }
}

impl Drop for DomainSpan {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        self.end_with_span(|span| {
            if std::thread::panicking() {
                record_failure_on(
                    span,
                    "panic",
                    SanitizedMessage::from_static("operation panicked"),
                );
            } else {
                // Written by the layer, not the caller: kept under `drop-category-attributes`.
                span.set_attribute(KeyValue::new(attr::FLOE_CANCELLED, true));
            }
            span.end();
        });
    }
}

/// What the layer does to a span, whether the SDK's own or one in a context.
trait SpanOps {
    fn set_attribute(&mut self, attribute: KeyValue);
    fn add_event(&mut self, name: &'static str, attributes: Vec<KeyValue>);
    fn set_status(&mut self, status: Status);
    fn end(&mut self);
}

impl SpanOps for SdkSpan {
    fn set_attribute(&mut self, attribute: KeyValue) {
        opentelemetry::trace::Span::set_attribute(self, attribute);
    }
    fn add_event(&mut self, name: &'static str, attributes: Vec<KeyValue>) {
        opentelemetry::trace::Span::add_event(self, name, attributes);
    }
    fn set_status(&mut self, status: Status) {
        opentelemetry::trace::Span::set_status(self, status);
    }
    fn end(&mut self) {
        opentelemetry::trace::Span::end(self);
    }
}

impl SpanOps for SpanRef<'_> {
    fn set_attribute(&mut self, attribute: KeyValue) {
        SpanRef::set_attribute(self, attribute);
    }
    fn add_event(&mut self, name: &'static str, attributes: Vec<KeyValue>) {
        SpanRef::add_event(self, name, attributes);
    }
    fn set_status(&mut self, status: Status) {
        SpanRef::set_status(self, status);
    }
    fn end(&mut self) {
        SpanRef::end(self);
    }
}

/// Ends a span that succeeded: status `Ok`, unless it was marked soft-failed (its `Error`
/// stands) or `unset-success` is injected.
fn end_ok(span: &mut dyn SpanOps, fault: Option<Fault>, soft_failed: bool) {
    if !soft_failed && !injected(fault, Fault::UnsetSuccess) {
        span.set_status(Status::Ok);
    }
    span.end();
}

/// Whether `fault` is the injected one (noted as applied when it is).
#[inline]
fn injected(injected: Option<Fault>, fault: Fault) -> bool {
    if injected == Some(fault) {
        fault::applied(fault);
        return true;
    }
    false
}

impl SpanRecorder {
    /// Adds an attribute to the span.
    pub fn set_attribute(&self, attribute: KeyValue) {
        if !self.has_fault(Fault::DropCategoryAttributes) {
            self.cx.span().set_attribute(attribute);
        }
    }

    /// Adds several attributes to the span.
    pub fn set_attributes(&self, attributes: impl IntoIterator<Item = KeyValue>) {
        if self.has_fault(Fault::DropCategoryAttributes) {
            return;
        }
        self.cx.span().set_attributes(attributes);
    }

    /// Adds an event to the span.
    pub fn add_event(&self, name: &'static str, attributes: Vec<KeyValue>) {
        self.cx.span().add_event(name, attributes);
    }

    /// Marks the span failed without failing the call: it ends as `Error` even if the
    /// operation returns `Ok`.
    pub fn fail_soft(&self, error_type: &'static str, reason: SanitizedMessage) {
        if self.has_fault(Fault::DropSoftFailure) {
            return;
        }
        if !self.soft_failed.get_or_init(Arc::default).swap(true, Ordering::AcqRel) {
            record_failure(&self.cx, error_type, reason);
        }
    }

    /// The context holding the span.
    pub fn context(&self) -> &Context {
        &self.cx
    }

    /// The span's W3C `traceparent` (`00-<trace id>-<span id>-<flags>`), for handing the
    /// trace to a child process or a peer; `None` when the span has no valid context.
    pub fn traceparent(&self) -> Option<String> {
        let context = self.cx.span().span_context().clone();
        context.is_valid().then(|| {
            format!(
                "00-{}-{}-{:02x}",
                context.trace_id(),
                context.span_id(),
                context.trace_flags().to_u8()
            )
        })
    }

    fn finish_ok(&self) {
        let soft_failed = self.soft_failed.get().is_some_and(|flag| flag.load(Ordering::Acquire));
        end_ok(&mut self.cx.span(), self.fault, soft_failed);
    }

    /// Whether `fault` is injected into this span (noted as applied when it is).
    fn has_fault(&self, fault: Fault) -> bool {
        injected(self.fault, fault)
    }
}

/// Runs `body` inside a span for `op`; the span is current while `body` runs (so nested
/// operations are its children) and ends from the returned result.
///
/// # Errors
/// Returns `body`'s error unchanged, after recording it on the span (sanitized).
///
/// # Examples
/// ```
/// use floe_telemetry::{Operation, in_span};
///
/// #[derive(Clone, Copy)]
/// struct Probe;
/// impl Operation for Probe {
///     fn span_name(self) -> &'static str { "compute.validate_connection" }
/// }
/// let rows: Result<u32, std::io::Error> = in_span("floe.compute.demo", Probe, [], |_span| Ok(3));
/// assert_eq!(rows.unwrap(), 3);
/// ```
pub fn in_span<T, E: Error>(
    tracer_name: &str,
    op: impl Operation,
    attributes: impl IntoIterator<Item = KeyValue>,
    body: impl FnOnce(&SpanRecorder) -> Result<T, E>,
) -> Result<T, E> {
    let span = DomainSpan::start_with(tracer_name, op, attributes);
    let result = {
        let _attached = span.context().clone().attach();
        body(span.shared())
    };
    span.end_with(&result);
    result
}

/// The async form of [`in_span`]: the span stays current across every `.await` of the
/// future, and a future dropped before completion ends its span with `floe.cancelled`.
///
/// # Errors
/// Returns the future's error unchanged, after recording it on the span (sanitized).
pub async fn in_span_async<T, E, F, Fut>(
    tracer_name: &str,
    op: impl Operation,
    attributes: impl IntoIterator<Item = KeyValue>,
    body: F,
) -> Result<T, E>
where
    E: Error,
    F: FnOnce(SpanRecorder) -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let span = DomainSpan::start_with(tracer_name, op, attributes);
    let cx = span.context().clone();
    let result = body(span.recorder()).with_context(cx).await;
    span.end_with(&result);
    result
}

/// Records a failure on the span of `cx`: `error.type`, an `exception` event with
/// `exception.type` and `exception.message`, and status `Error` with the message.
///
/// This function (with its private form for a span not yet in a context, which the
/// domain span's endings use) is the only one in the workspace that writes an error
/// status or an exception event; its message parameter is a [`SanitizedMessage`], so
/// nothing unsanitized can get there.
pub fn record_failure(cx: &Context, error_type: &str, message: SanitizedMessage) {
    record_failure_on(&mut cx.span(), error_type, message);
}

/// [`record_failure`] on a span wherever it is held: the one writer of error statuses and
/// exception events.
fn record_failure_on(span: &mut dyn SpanOps, error_type: &str, message: SanitizedMessage) {
    let error_type = error_type.to_owned();
    span.set_attribute(KeyValue::new(attr::ERROR_TYPE, error_type.clone()));
    span.add_event(
        attr::EXCEPTION_EVENT,
        vec![
            KeyValue::new(attr::EXCEPTION_TYPE, error_type),
            KeyValue::new(attr::EXCEPTION_MESSAGE, message.as_str().to_owned()),
        ],
    );
    if fault::is(Fault::OkOnFailure) {
        span.set_status(Status::Ok);
    } else {
        span.set_status(Status::error(message.into_cow()));
    }
}

/// What `fault` changes as a span starts: its name, or its attributes (the
/// `FloeSpanAttributes` are the first `floe_len`, the caller's follow).
#[cold]
fn inject_at_start(
    fault: Fault,
    name: &mut Cow<'static, str>,
    attributes: &mut Vec<KeyValue>,
    floe_len: usize,
) {
    let before = attributes.len();
    match fault {
        Fault::DropFloeAttributes => drop(attributes.drain(..floe_len)),
        Fault::DropCategoryAttributes => attributes.truncate(floe_len),
        Fault::RenameSpan => {
            if let Cow::Borrowed(original) = *name {
                *name = fault::renamed(original);
                fault::applied(fault);
            }
        }
        _ => {}
    }
    if attributes.len() != before {
        fault::applied(fault);
    }
}

/// Whether the span must start as a new root (`new-root`, and the parent has a span).
#[cold]
fn is_new_root(fault: Fault, parent: &Context) -> bool {
    let lost = fault == Fault::NewRoot && parent.span().span_context().is_valid();
    if lost {
        fault::applied(fault);
    }
    lost
}

/// The sanitized text of an error and its sources, joined by `": "`; a source whose text
/// the outer message already contains is not repeated.
pub fn describe_error<E: Error + ?Sized>(error: &E) -> SanitizedMessage {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        let inner_text = inner.to_string();
        if !text.contains(&inner_text) {
            text.push_str(": ");
            text.push_str(&inner_text);
        }
        source = inner.source();
    }
    sanitize_error_message(&text)
}
