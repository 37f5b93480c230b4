//! Expectations about metrics and their data points, and `assert_metric`.

use std::fmt::{self, Write as _};

use opentelemetry::Key;

use super::data::{CapturedMetric, CapturedMetrics, DataPoint, MetricKind, PointValue};
use crate::expect::attrs::{all_match, attribute_methods, describe_all};
use crate::expect::{AttrMatcher, Check};

/// Expects a metric (an instrument's data) named `name`.
pub fn metric(name: impl Into<String>) -> MetricExpectation {
    MetricExpectation {
        name: name.into(),
        kind: None,
        unit: None,
        description: None,
        scope: None,
        points: Vec::new(),
        point_count: None,
    }
}

/// Expects a data point (one attribute set of a metric).
pub fn point() -> PointExpectation {
    PointExpectation {
        attrs: Vec::new(),
        exact_attrs: false,
        value: None,
        count: None,
        sum: None,
        min: None,
        max: None,
    }
}

/// An expectation about one metric.
#[derive(Clone, Debug)]
pub struct MetricExpectation {
    name: String,
    kind: Option<MetricKind>,
    unit: Option<String>,
    description: Option<String>,
    scope: Option<String>,
    points: Vec<PointExpectation>,
    point_count: Option<usize>,
}

/// An expectation about one data point of a metric.
#[derive(Clone, Debug)]
pub struct PointExpectation {
    pub(crate) attrs: Vec<(Key, AttrMatcher)>,
    exact_attrs: bool,
    value: Option<f64>,
    count: Option<u64>,
    sum: Option<f64>,
    min: Option<f64>,
    max: Option<f64>,
}

impl MetricExpectation {
    /// The instrument's kind.
    #[must_use]
    pub fn kind(mut self, kind: MetricKind) -> Self {
        self.kind = Some(kind);
        self
    }

    /// A counter (monotonic sum).
    #[must_use]
    pub fn counter(self) -> Self {
        self.kind(MetricKind::Counter)
    }

    /// An up-down counter (non-monotonic sum).
    #[must_use]
    pub fn up_down_counter(self) -> Self {
        self.kind(MetricKind::UpDownCounter)
    }

    /// A gauge.
    #[must_use]
    pub fn gauge(self) -> Self {
        self.kind(MetricKind::Gauge)
    }

    /// A histogram.
    #[must_use]
    pub fn histogram(self) -> Self {
        self.kind(MetricKind::Histogram)
    }

    /// The unit, exactly (`"ms"`, `"{order}"`; `""` for none).
    #[must_use]
    pub fn unit(mut self, unit: impl Into<String>) -> Self {
        self.unit = Some(unit.into());
        self
    }

    /// The description, exactly.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// The meter (instrumentation scope) that created the instrument.
    #[must_use]
    pub fn scope(mut self, name: impl Into<String>) -> Self {
        self.scope = Some(name.into());
        self
    }

    /// Some data point matches `point`.
    #[must_use]
    pub fn point(mut self, point: PointExpectation) -> Self {
        self.points.push(point);
        self
    }

    /// The metric has exactly `count` data points (attribute sets).
    #[must_use]
    pub fn point_count(mut self, count: usize) -> Self {
        self.point_count = Some(count);
        self
    }
}

impl PointExpectation {
    attribute_methods!("data point");

    /// The point has no attribute other than those this expectation names.
    #[must_use]
    pub fn exact_attrs(mut self) -> Self {
        self.exact_attrs = true;
        self
    }

    /// A sum's or gauge's value is `value` (integers compare exactly).
    #[must_use]
    pub fn value(mut self, value: impl Into<f64>) -> Self {
        self.value = Some(value.into());
        self
    }

    /// A histogram recorded `count` measurements.
    #[must_use]
    pub fn count(mut self, count: u64) -> Self {
        self.count = Some(count);
        self
    }

    /// A histogram's measurements sum to `sum`.
    #[must_use]
    pub fn sum(mut self, sum: impl Into<f64>) -> Self {
        self.sum = Some(sum.into());
        self
    }

    /// A histogram's smallest measurement is `min`.
    #[must_use]
    pub fn min(mut self, min: impl Into<f64>) -> Self {
        self.min = Some(min.into());
        self
    }

    /// A histogram's largest measurement is `max`.
    #[must_use]
    pub fn max(mut self, max: impl Into<f64>) -> Self {
        self.max = Some(max.into());
        self
    }

    #[expect(clippy::float_cmp, reason = "expected values are exact: counts and test inputs")]
    fn matches(&self, point: &DataPoint) -> bool {
        let extra = self.exact_attrs
            && point.attributes.iter().any(|kv| {
                !self.attrs.iter().any(|(k, m)| *k == kv.key && !matches!(m, AttrMatcher::Absent))
            });
        if extra || !all_match(&self.attrs, &point.attributes) {
            return false;
        }
        match &point.value {
            PointValue::Number(n) => {
                self.value.is_none_or(|v| v == *n)
                    && self.count.is_none()
                    && self.sum.is_none()
                    && self.min.is_none()
                    && self.max.is_none()
            }
            PointValue::Histogram { count, sum, min, max, .. } => {
                self.value.is_none()
                    && self.count.is_none_or(|c| c == *count)
                    && self.sum.is_none_or(|s| s == *sum)
                    && self.min.is_none_or(|m| Some(m) == *min)
                    && self.max.is_none_or(|m| Some(m) == *max)
            }
        }
    }
}

impl fmt::Display for PointExpectation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "data point{}", describe_all(&self.attrs))?;
        if self.exact_attrs {
            f.write_str(" (no other attribute)")?;
        }
        for (what, value) in
            [("value", self.value), ("sum", self.sum), ("min", self.min), ("max", self.max)]
        {
            if let Some(value) = value {
                write!(f, " {what} = {value}")?;
            }
        }
        if let Some(count) = self.count {
            write!(f, " count = {count}")?;
        }
        Ok(())
    }
}

impl fmt::Display for MetricExpectation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "metric {:?}", self.name)?;
        if let Some(kind) = self.kind {
            write!(f, "\n  kind: {kind}")?;
        }
        if let Some(unit) = &self.unit {
            write!(f, "\n  unit: {unit:?}")?;
        }
        if let Some(description) = &self.description {
            write!(f, "\n  description: {description:?}")?;
        }
        if let Some(scope) = &self.scope {
            write!(f, "\n  scope (meter): {scope:?}")?;
        }
        for point in &self.points {
            write!(f, "\n  {point}")?;
        }
        if let Some(count) = self.point_count {
            write!(f, "\n  {count} data points")?;
        }
        Ok(())
    }
}

fn checks(expectation: &MetricExpectation, metric: &CapturedMetric) -> Vec<Check> {
    let mut out = Vec::new();
    if let Some(kind) = expectation.kind {
        out.push(Check::new(format!("kind {kind}"), metric.kind == kind, metric.kind.to_string()));
    }
    if let Some(unit) = &expectation.unit {
        out.push(Check::new(
            format!("unit {unit:?}"),
            metric.unit == *unit,
            format!("{:?}", metric.unit),
        ));
    }
    if let Some(description) = &expectation.description {
        out.push(Check::new(
            format!("description {description:?}"),
            metric.description == *description,
            format!("{:?}", metric.description),
        ));
    }
    let points = || {
        let listed: Vec<String> = metric.points.iter().map(ToString::to_string).collect();
        format!("points: [{}]", listed.join("; "))
    };
    for point in &expectation.points {
        out.push(Check::new(
            point.to_string(),
            metric.points.iter().any(|p| point.matches(p)),
            points(),
        ));
    }
    if let Some(count) = expectation.point_count {
        out.push(Check::new(
            format!("{count} data points"),
            metric.points.len() == count,
            points(),
        ));
    }
    out
}

impl CapturedMetrics {
    /// Asserts that exactly one metric has the expectation's name (and scope, if given)
    /// and that it matches every condition; returns it.
    ///
    /// # Panics
    /// When the global meter provider was replaced, when no metric or several have the
    /// name, or when a condition fails; the message shows each condition with the actual
    /// value and every captured metric.
    ///
    /// # Examples
    /// ```should_panic
    /// use floe_otel_testkit::{Capture, expect};
    /// use opentelemetry::KeyValue;
    ///
    /// let capture = Capture::start();
    /// let latency = opentelemetry::global::meter("shop").f64_histogram("shop.latency").with_unit("ms").build();
    /// latency.record(12.0, &[KeyValue::new("route", "/cart")]);
    /// // Fails with:
    /// //   FAIL unit "s"
    /// //        actual: "ms"
    /// //   FAIL data point route: = "/cart" count = 2
    /// //        actual: points: [{route = "/cart"} count 1, sum 12, min 12, max 12, ...]
    /// capture.assert_metric(
    ///     expect::metric("shop.latency")
    ///         .histogram()
    ///         .unit("s")
    ///         .point(expect::point().attr("route", "/cart").count(2)),
    /// );
    /// ```
    #[track_caller]
    #[expect(
        clippy::needless_pass_by_value,
        reason = "expectations are taken by value so an assertion reads as one expression"
    )]
    pub fn assert_metric(&self, expectation: MetricExpectation) -> CapturedMetric {
        if !self.problems.is_empty() {
            self.fail(&format!(
                "assert_metric cannot trust this capture:\n  - {}",
                self.problems.join("\n  - ")
            ));
        }
        let named: Vec<&CapturedMetric> = self
            .metrics
            .iter()
            .filter(|m| {
                m.name == expectation.name
                    && expectation.scope.as_ref().is_none_or(|s| *s == m.scope)
            })
            .collect();
        let [metric] = named.as_slice() else {
            self.fail(&format!(
                "expected exactly one metric matching:\n{expectation}\nfound {} with that name among {:?}",
                named.len(),
                self.names()
            ));
        };
        let checks = checks(&expectation, metric);
        if checks.iter().all(|c| c.passed) {
            return (*metric).clone();
        }
        let mut message = format!("expected exactly one metric matching:\n{expectation}\n");
        for check in &checks {
            let mark = if check.passed { "  ok  " } else { "  FAIL" };
            let _ = write!(message, "\n{mark} {}", check.field);
            if !check.passed {
                let _ = write!(message, "\n         actual: {}", check.actual);
            }
        }
        self.fail(&message)
    }

    #[track_caller]
    fn fail(&self, message: &str) -> ! {
        panic!("{message}\n\ncaptured metrics:\n{self}");
    }
}
