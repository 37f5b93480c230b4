//! The builder methods of span, event and link expectations.

use opentelemetry::trace::{SpanContext, SpanKind};
use opentelemetry_sdk::trace::SpanData;

use super::attrs::attribute_methods;
use super::{
    EventExpectation, ExceptionExpectation, LinkExpectation, ParentExpectation, SpanExpectation,
    StatusExpectation, TextMatcher,
};

impl EventExpectation {
    attribute_methods!("event");
}

impl LinkExpectation {
    attribute_methods!("link");
}

impl SpanExpectation {
    attribute_methods!("span");

    /// The span kind.
    #[must_use]
    pub fn kind(mut self, kind: SpanKind) -> Self {
        self.kind = Some(kind);
        self
    }

    /// Status `Ok`.
    #[must_use]
    pub fn ok(mut self) -> Self {
        self.status = Some(StatusExpectation::Ok);
        self
    }

    /// Status `Unset`.
    #[must_use]
    pub fn unset(mut self) -> Self {
        self.status = Some(StatusExpectation::Unset);
        self
    }

    /// Status `Error`, any description.
    #[must_use]
    pub fn error(mut self) -> Self {
        self.status = Some(StatusExpectation::Error(None));
        self
    }

    /// Status `Error` whose description contains `text`.
    #[must_use]
    pub fn error_containing(mut self, text: impl Into<String>) -> Self {
        self.status = Some(StatusExpectation::Error(Some(TextMatcher::Contains(text.into()))));
        self
    }

    /// Status `Error` whose description is exactly `text`.
    #[must_use]
    pub fn error_description(mut self, text: impl Into<String>) -> Self {
        self.status = Some(StatusExpectation::Error(Some(TextMatcher::Equals(text.into()))));
        self
    }

    /// Status `Error` whose description matches the regular expression `pattern`.
    ///
    /// # Panics
    /// When `pattern` is not a valid regular expression.
    #[must_use]
    #[track_caller]
    pub fn error_matching(mut self, pattern: &str) -> Self {
        let matcher = TextMatcher::regex(pattern, "error_matching");
        self.status = Some(StatusExpectation::Error(Some(matcher)));
        self
    }

    /// An `exception` event whose `exception.type` contains `type_name`.
    #[must_use]
    pub fn exception(mut self, type_name: impl Into<String>) -> Self {
        self.exception.get_or_insert_with(ExceptionExpectation::default).type_contains =
            Some(type_name.into());
        self
    }

    /// An `exception` event whose `exception.message` contains `text`.
    #[must_use]
    pub fn exception_message_containing(mut self, text: impl Into<String>) -> Self {
        self.exception.get_or_insert_with(ExceptionExpectation::default).message =
            Some(TextMatcher::Contains(text.into()));
        self
    }

    /// The span carries no attribute other than those this expectation names (and the four
    /// `FloeSpanAttributes` keys when `floe_attributes`, of the `floe` feature, is set).
    #[must_use]
    pub fn exact_attrs(mut self) -> Self {
        self.exact_attrs = true;
        self
    }

    /// The span carries `floe.namespace` (the `FloeSpanAttributes` of FR-019); with
    /// [`exact_attrs`](Self::exact_attrs), the `FloeSpanAttributes` keys
    /// (`floe.namespace`, `floe.product.name`, `floe.product.version`, `floe.mode`) are
    /// admitted, and no other `floe.*` key.
    #[cfg(feature = "floe")]
    #[must_use]
    pub fn floe_attributes(mut self) -> Self {
        self.floe_attributes = true;
        self
    }

    /// The span has an event matching `event` (at least one; others may be there too).
    #[must_use]
    pub fn event(mut self, event: EventExpectation) -> Self {
        self.events.push(event);
        self
    }

    /// The span has events matching `events` in this order (other events may come before,
    /// between and after them).
    ///
    /// # Examples
    /// ```should_panic
    /// use floe_otel_testkit::{Capture, expect};
    /// use opentelemetry::trace::{Span as _, Tracer as _};
    ///
    /// let capture = Capture::start();
    /// let mut span = opentelemetry::global::tracer("my-lib").start("job.run");
    /// span.add_event("finished", vec![]);
    /// span.add_event("started", vec![]);
    /// span.end();
    /// // Fails with:
    /// //   FAIL events in this order: "started", "finished"
    /// //        actual: events: ["finished", "started"]
    /// capture.assert_one(
    ///     expect::span("job.run")
    ///         .events_in_order([expect::event("started"), expect::event("finished")]),
    /// );
    /// ```
    #[must_use]
    pub fn events_in_order(mut self, events: impl IntoIterator<Item = EventExpectation>) -> Self {
        self.event_sequence = Some((events.into_iter().collect(), false));
        self
    }

    /// The span's events are exactly `events`: as many, in this order, each matching.
    ///
    /// # Examples
    /// ```should_panic
    /// use floe_otel_testkit::{Capture, expect};
    /// use opentelemetry::trace::{Span as _, Tracer as _};
    ///
    /// let capture = Capture::start();
    /// let mut span = opentelemetry::global::tracer("my-lib").start("job.run");
    /// span.add_event("started", vec![]);
    /// span.add_event("retried", vec![]);
    /// span.add_event("finished", vec![]);
    /// span.end();
    /// // Fails with:
    /// //   FAIL events exactly: "started", "finished"
    /// //        actual: events: ["started", "retried", "finished"]
    /// capture.assert_one(
    ///     expect::span("job.run")
    ///         .events_exactly([expect::event("started"), expect::event("finished")]),
    /// );
    /// ```
    #[must_use]
    pub fn events_exactly(mut self, events: impl IntoIterator<Item = EventExpectation>) -> Self {
        self.event_sequence = Some((events.into_iter().collect(), true));
        self
    }

    /// Exactly `count` of the span's events match `event`.
    ///
    /// # Examples
    /// ```should_panic
    /// use floe_otel_testkit::{Capture, expect};
    /// use opentelemetry::KeyValue;
    /// use opentelemetry::trace::{Span as _, Tracer as _};
    ///
    /// let capture = Capture::start();
    /// let mut span = opentelemetry::global::tracer("my-lib").start("upload");
    /// span.add_event("retry", vec![KeyValue::new("attempt", 1_i64)]);
    /// span.add_event("retry", vec![KeyValue::new("attempt", 2_i64)]);
    /// span.end();
    /// // Fails with:
    /// //   FAIL 3 events "retry"
    /// //        actual: 2 such events
    /// capture.assert_one(expect::span("upload").event_count(expect::event("retry"), 3));
    /// ```
    #[must_use]
    pub fn event_count(mut self, event: EventExpectation, count: usize) -> Self {
        self.event_counts.push((event, count));
        self
    }

    /// The span has no event named `name`.
    #[must_use]
    pub fn no_event(mut self, name: impl Into<String>) -> Self {
        self.absent_events.push(name.into());
        self
    }

    /// The span has a link matching `link` ([`link_to`](super::link_to) a captured span by
    /// name, [`link_to_span`](super::link_to_span) by identity,
    /// [`link_to_context`](super::link_to_context) for a context from elsewhere).
    ///
    /// # Examples
    /// ```should_panic
    /// use floe_otel_testkit::{Capture, expect};
    /// use opentelemetry::trace::{Link, Span as _, TraceContextExt as _, Tracer as _};
    ///
    /// let capture = Capture::start();
    /// let tracer = opentelemetry::global::tracer("my-lib");
    /// let mut produce = tracer.start("queue.publish");
    /// let producer = produce.span_context().clone();
    /// produce.end();
    /// tracer
    ///     .span_builder("queue.process")
    ///     .with_links(vec![Link::with_context(producer)])
    ///     .start(&tracer)
    ///     .end();
    /// capture.assert_one(expect::span("queue.process").link(expect::link_to("queue.publish")));
    /// // Fails with:
    /// //   FAIL link to a span named "queue.receive"
    /// //        actual: links: ["queue.publish"]
    /// capture.assert_one(expect::span("queue.process").link(expect::link_to("queue.receive")));
    /// ```
    #[must_use]
    pub fn link(mut self, link: LinkExpectation) -> Self {
        self.links.push(link);
        self
    }

    /// The span has exactly `count` links (`0`: none).
    #[must_use]
    pub fn link_count(mut self, count: usize) -> Self {
        self.link_count = Some(count);
        self
    }

    /// The span's parent is a captured span named `name`.
    #[must_use]
    pub fn parent(mut self, name: impl Into<String>) -> Self {
        self.parent = Some(ParentExpectation::Named(name.into()));
        self
    }

    /// The span's parent is exactly `parent` (by span id): for captures holding several
    /// spans of one name, and for trees whose branches look alike.
    ///
    /// # Examples
    /// ```should_panic
    /// use floe_otel_testkit::{Capture, expect};
    /// use opentelemetry::trace::{TraceContextExt as _, Tracer as _};
    ///
    /// let capture = Capture::start();
    /// let tracer = opentelemetry::global::tracer("my-lib");
    /// tracer.in_span("batch", |_| tracer.in_span("item", |_| {}));
    /// tracer.in_span("batch", |_| {});
    /// let batches = capture.assert_count(expect::span("batch"), 2);
    /// let (with_item, empty) = if capture.spans().children(&batches[0]).is_empty() {
    ///     (&batches[1], &batches[0])
    /// } else {
    ///     (&batches[0], &batches[1])
    /// };
    /// capture.assert_one(expect::span("item").child_of(with_item));
    /// // Fails with:
    /// //   FAIL parent: the span "batch" with id ...
    /// capture.assert_one(expect::span("item").child_of(empty));
    /// ```
    #[must_use]
    pub fn child_of(mut self, parent: &SpanData) -> Self {
        self.parent =
            Some(ParentExpectation::Span(parent.span_context.span_id(), parent.name.to_string()));
        self
    }

    /// The span's parent is `context`, a span context from elsewhere (the `traceparent` a
    /// server received, a message's producer): same trace id, same span id.
    #[must_use]
    pub fn parent_context(mut self, context: &SpanContext) -> Self {
        self.parent = Some(ParentExpectation::Remote(context.clone()));
        self
    }

    /// The span is a root of the capture (no captured span is its parent).
    #[must_use]
    pub fn root(mut self) -> Self {
        self.parent = Some(ParentExpectation::Root);
        self
    }

    /// The span was created by the tracer named `name` (its instrumentation scope).
    #[must_use]
    pub fn scope(mut self, name: impl Into<String>) -> Self {
        self.scope = Some(name.into());
        self
    }

    /// No string on the span (name, attributes, events, links, status, scope) contains
    /// `text` or any 8-character fragment of it.
    #[must_use]
    pub fn without_text(mut self, text: impl Into<String>) -> Self {
        self.without_text.push(text.into());
        self
    }
}
