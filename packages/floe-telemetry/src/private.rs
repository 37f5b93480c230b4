//! Run-time support for the code `#[traced]` generates. Not a public API: only the macro
//! expansion calls it, through absolute `::floe_telemetry::__private::...` paths (or
//! `::floe_core::__private::...`, floe-core's re-export of this module), so users need
//! no `opentelemetry` in scope.
//!
//! Spans are started and ended through [`DomainSpan`] only; failures reach the span through
//! `DomainSpan::fail`/`fail_with`, that is through `telemetry::record_failure`.

use std::any::Any;
use std::borrow::Cow;
use std::error::Error;
use std::fmt::Display;
use std::future::{Future, poll_fn};
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::pin;
use std::task::Poll;

pub use opentelemetry::{Key, KeyValue, Value};

use crate::{
    DomainSpan, FloeSpanAttributes, Operation, SanitizedMessage, attr, sanitize_error_message,
};

/// A span name given as a literal: an [`Operation`] of kind `Internal`.
#[derive(Clone, Copy, Debug)]
pub struct Named(pub &'static str);

impl Operation for Named {
    fn span_name(self) -> &'static str {
        self.0
    }
}

/// The attributes a span starts with.
#[derive(Debug, Default)]
pub struct Attributes(Vec<KeyValue>);

impl Attributes {
    /// No attributes.
    pub const fn new() -> Self {
        Self(Vec::new())
    }

    /// Adds `key` = `value`, unless the value records nothing (`None`).
    #[must_use]
    pub fn with<V: ToAttrValue + ?Sized>(mut self, key: Key, value: &V) -> Self {
        if let Some(value) = value.to_attr_value() {
            self.0.push(KeyValue::new(key, value));
        }
        self
    }

    /// Adds what `attributes_fn` returns. Its error or panic never fails the call: the
    /// span gets `floe.instrumentation.error` with a sanitized reason instead.
    #[must_use]
    pub fn with_dynamic<R: DynamicAttributes>(mut self, attributes_fn: impl FnOnce() -> R) -> Self {
        let outcome = catch_unwind(AssertUnwindSafe(attributes_fn))
            .map_err(|payload| panic_message("attributes_fn panicked", payload.as_ref()))
            .and_then(DynamicAttributes::into_key_values);
        match outcome {
            Ok(attributes) => self.0.extend(attributes),
            Err(reason) => {
                self.0.push(KeyValue::new(attr::FLOE_INSTRUMENTATION_ERROR, reason.into_string()));
            }
        }
        self
    }
}

/// Starts the span of a traced function as a child of the current context; with
/// `floe_attributes`, the span and its children carry those instead of the context's.
pub fn start(
    floe_attributes: Option<FloeSpanAttributes>,
    tracer_name: &str,
    op: impl Operation,
    attributes: Attributes,
) -> DomainSpan {
    match floe_attributes {
        None => DomainSpan::start_with(tracer_name, op, attributes.0),
        Some(floe) => {
            let parent = floe.in_context(&opentelemetry::Context::current());
            DomainSpan::start_in(&parent, tracer_name, op, attributes.0)
        }
    }
}

/// Runs a sync body with the span current. A panic is recorded on the span (sanitized)
/// and resumed; otherwise the span comes back for the outcome to end it.
pub fn run_sync<R, F: FnOnce() -> R>(span: DomainSpan, body: F) -> (R, DomainSpan) {
    let result = {
        let _attached = span.context().clone().attach();
        catch_unwind(AssertUnwindSafe(body))
    };
    match result {
        Ok(value) => (value, span),
        Err(payload) => fail_with_panic(span, payload),
    }
}

/// Runs an async body with the span current during every poll. A panic is recorded and
/// resumed; if this future is dropped first, the span ends with `floe.cancelled = true`.
pub async fn run_async<R, F: Future<Output = R>>(span: DomainSpan, body: F) -> (R, DomainSpan) {
    let mut body = pin!(body);
    let polled = poll_fn(|task| {
        let _attached = span.context().clone().attach();
        match catch_unwind(AssertUnwindSafe(|| body.as_mut().poll(task))) {
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => Poll::Ready(Err(payload)),
        }
    })
    .await;
    match polled {
        Ok(value) => (value, span),
        Err(payload) => fail_with_panic(span, payload),
    }
}

fn fail_with_panic<R>(span: DomainSpan, payload: Box<dyn Any + Send>) -> (R, DomainSpan) {
    span.fail_with("panic", panic_message("operation panicked", payload.as_ref()));
    resume_unwind(payload)
}

/// `"<what>: <sanitized panic message>"`, or `what` alone when the payload is not text.
fn panic_message(what: &'static str, payload: &(dyn Any + Send)) -> SanitizedMessage {
    let text = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str));
    match text {
        Some(text) => sanitize_error_message(&format!("{what}: {text}")),
        None => SanitizedMessage::from_static(what),
    }
}

/// The return value of a traced function, wrapped so that method resolution picks how
/// the span ends (autoref specialization): `(&&&Outcome(&value)).finish(span)` resolves
/// to [`ErrorOutcome`] for `Result<_, E: Error>`, else [`DisplayOutcome`] for
/// `Result<_, E: Display>`, else [`PlainOutcome`].
#[derive(Debug)]
pub struct Outcome<'a, T>(pub &'a T);

/// Ends a span from a `Result` whose error is a `std::error::Error`.
pub trait ErrorOutcome {
    /// Ends `span`: `Ok`, or the sanitized error chain.
    fn finish(&self, span: DomainSpan);
}

impl<T, E: Error> ErrorOutcome for &&Outcome<'_, Result<T, E>> {
    fn finish(&self, span: DomainSpan) {
        span.end_with(self.0);
    }
}

/// Ends a span from a `Result` whose error is only `Display`.
pub trait DisplayOutcome {
    /// Ends `span`: `Ok`, or the sanitized `Display` of the error.
    fn finish(&self, span: DomainSpan);
}

impl<T, E: Display> DisplayOutcome for &Outcome<'_, Result<T, E>> {
    fn finish(&self, span: DomainSpan) {
        match self.0 {
            Ok(_) => span.succeed(),
            Err(error) => span
                .fail_with(std::any::type_name::<E>(), sanitize_error_message(&error.to_string())),
        }
    }
}

/// Ends a span from any other value: status `Ok`.
pub trait PlainOutcome {
    /// Ends `span` with `Ok`.
    fn finish(&self, span: DomainSpan);
}

impl<T> PlainOutcome for Outcome<'_, T> {
    fn finish(&self, span: DomainSpan) {
        span.succeed();
    }
}

/// What `attributes_fn` may return.
#[diagnostic::on_unimplemented(
    message = "`attributes_fn` must return `Vec<KeyValue>`, `[KeyValue; N]`, or a `Result` of \
               those whose error is `Display`; it returns `{Self}`",
    label = "this function's return type is not attributes"
)]
pub trait DynamicAttributes {
    /// The attributes, or a sanitized reason why there are none.
    ///
    /// # Errors
    /// When `attributes_fn` itself returned an error.
    fn into_key_values(self) -> Result<Vec<KeyValue>, SanitizedMessage>;
}

impl DynamicAttributes for Vec<KeyValue> {
    fn into_key_values(self) -> Result<Vec<KeyValue>, SanitizedMessage> {
        Ok(self)
    }
}

impl<const N: usize> DynamicAttributes for [KeyValue; N] {
    fn into_key_values(self) -> Result<Vec<KeyValue>, SanitizedMessage> {
        Ok(self.into())
    }
}

impl<V: DynamicAttributes, E: Display> DynamicAttributes for Result<V, E> {
    fn into_key_values(self) -> Result<Vec<KeyValue>, SanitizedMessage> {
        match self {
            Ok(attributes) => attributes.into_key_values(),
            Err(error) => Err(sanitize_error_message(&format!("attributes_fn failed: {error}"))),
        }
    }
}

/// A value `attributes(..)` and `fields(..)` can record.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be recorded as a span attribute",
    note = "record a string, an integer, a float, a bool, or an `Option` of one; \
            derive a safe text (a host, a count) from anything else"
)]
pub trait ToAttrValue {
    /// The attribute value, or `None` to record nothing.
    fn to_attr_value(&self) -> Option<Value>;
}

impl<T: ToAttrValue + ?Sized> ToAttrValue for &T {
    fn to_attr_value(&self) -> Option<Value> {
        (**self).to_attr_value()
    }
}

impl<T: ToAttrValue + ?Sized> ToAttrValue for &mut T {
    fn to_attr_value(&self) -> Option<Value> {
        (**self).to_attr_value()
    }
}

impl<T: ToAttrValue> ToAttrValue for Option<T> {
    fn to_attr_value(&self) -> Option<Value> {
        self.as_ref().and_then(ToAttrValue::to_attr_value)
    }
}

impl ToAttrValue for str {
    fn to_attr_value(&self) -> Option<Value> {
        Some(Value::from(self.to_owned()))
    }
}

impl ToAttrValue for String {
    fn to_attr_value(&self) -> Option<Value> {
        Some(Value::from(self.clone()))
    }
}

impl ToAttrValue for Cow<'_, str> {
    fn to_attr_value(&self) -> Option<Value> {
        Some(Value::from(self.clone().into_owned()))
    }
}

impl ToAttrValue for SanitizedMessage {
    fn to_attr_value(&self) -> Option<Value> {
        Some(Value::from(self.as_str().to_owned()))
    }
}

impl ToAttrValue for bool {
    fn to_attr_value(&self) -> Option<Value> {
        Some(Value::Bool(*self))
    }
}

impl ToAttrValue for f64 {
    fn to_attr_value(&self) -> Option<Value> {
        Some(Value::F64(*self))
    }
}

impl ToAttrValue for f32 {
    fn to_attr_value(&self) -> Option<Value> {
        Some(Value::F64(f64::from(*self)))
    }
}

macro_rules! lossless_int {
    ($($ty:ty),*) => {$(
        impl ToAttrValue for $ty {
            fn to_attr_value(&self) -> Option<Value> {
                Some(Value::I64(i64::from(*self)))
            }
        }
    )*};
}
lossless_int!(i8, i16, i32, i64, u8, u16, u32);

macro_rules! wide_int {
    ($($ty:ty),*) => {$(
        /// Recorded as an integer when it fits `i64`, else as its decimal text.
        impl ToAttrValue for $ty {
            fn to_attr_value(&self) -> Option<Value> {
                Some(i64::try_from(*self).map_or_else(|_| Value::from(self.to_string()), Value::I64))
            }
        }
    )*};
}
wide_int!(u64, usize, isize, i128, u128);
