//! Captured metrics as plain data (no timestamps), rendered for failure messages.

use std::fmt::{self, Write as _};

use opentelemetry::KeyValue;
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData, ResourceMetrics};

/// What kind of instrument a metric came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricKind {
    /// A monotonic sum (`Counter`, `ObservableCounter`).
    Counter,
    /// A non-monotonic sum (`UpDownCounter`, `ObservableUpDownCounter`).
    UpDownCounter,
    /// The last value (`Gauge`, `ObservableGauge`).
    Gauge,
    /// A histogram (explicit buckets or exponential).
    Histogram,
}

/// The value of one data point.
#[derive(Clone, Debug, PartialEq)]
pub enum PointValue {
    /// A sum's or gauge's value (`u64` and `i64` values are converted to `f64`).
    Number(f64),
    /// A histogram's aggregate.
    Histogram {
        /// How many measurements.
        count: u64,
        /// Their sum.
        sum: f64,
        /// The smallest, if recorded.
        min: Option<f64>,
        /// The largest, if recorded.
        max: Option<f64>,
        /// The bucket boundaries (empty for an exponential histogram).
        bounds: Vec<f64>,
        /// The count in each bucket.
        bucket_counts: Vec<u64>,
    },
}

/// One time series of a metric: its attributes (sorted by key) and value.
#[derive(Clone, Debug, PartialEq)]
pub struct DataPoint {
    /// The attributes, sorted by key.
    pub attributes: Vec<KeyValue>,
    /// The aggregated value.
    pub value: PointValue,
}

/// One metric: an instrument's data in one capture.
#[derive(Clone, Debug, PartialEq)]
pub struct CapturedMetric {
    /// The instrumentation scope (the meter's name).
    pub scope: String,
    /// The instrument name.
    pub name: String,
    /// Its description.
    pub description: String,
    /// Its unit.
    pub unit: String,
    /// Its kind.
    pub kind: MetricKind,
    /// Its data points, sorted by attributes.
    pub points: Vec<DataPoint>,
}

/// The metrics of a capture at one moment.
#[derive(Clone, Debug)]
pub struct CapturedMetrics {
    pub(crate) metrics: Vec<CapturedMetric>,
    pub(crate) problems: Vec<String>,
}

#[expect(clippy::cast_precision_loss, reason = "test values stay far below 2^53")]
fn number<T: Copy + Into<Num>>(value: T) -> f64 {
    match value.into() {
        Num::U64(n) => n as f64,
        Num::I64(n) => n as f64,
        Num::F64(n) => n,
    }
}

enum Num {
    U64(u64),
    I64(i64),
    F64(f64),
}

impl From<u64> for Num {
    fn from(n: u64) -> Self {
        Self::U64(n)
    }
}

impl From<i64> for Num {
    fn from(n: i64) -> Self {
        Self::I64(n)
    }
}

impl From<f64> for Num {
    fn from(n: f64) -> Self {
        Self::F64(n)
    }
}

fn sorted(attributes: impl Iterator<Item = KeyValue>) -> Vec<KeyValue> {
    let mut attributes: Vec<KeyValue> = attributes.collect();
    attributes.sort_by(|a, b| a.key.as_str().cmp(b.key.as_str()));
    attributes
}

fn convert_data<T: Copy + Into<Num>>(data: &MetricData<T>) -> (MetricKind, Vec<DataPoint>) {
    match data {
        MetricData::Gauge(gauge) => (
            MetricKind::Gauge,
            gauge
                .data_points()
                .map(|p| DataPoint {
                    attributes: sorted(p.attributes().cloned()),
                    value: PointValue::Number(number(p.value())),
                })
                .collect(),
        ),
        MetricData::Sum(sum) => (
            if sum.is_monotonic() { MetricKind::Counter } else { MetricKind::UpDownCounter },
            sum.data_points()
                .map(|p| DataPoint {
                    attributes: sorted(p.attributes().cloned()),
                    value: PointValue::Number(number(p.value())),
                })
                .collect(),
        ),
        MetricData::Histogram(histogram) => (
            MetricKind::Histogram,
            histogram
                .data_points()
                .map(|p| DataPoint {
                    attributes: sorted(p.attributes().cloned()),
                    value: PointValue::Histogram {
                        count: p.count(),
                        sum: number(p.sum()),
                        min: p.min().map(number),
                        max: p.max().map(number),
                        bounds: p.bounds().collect(),
                        bucket_counts: p.bucket_counts().collect(),
                    },
                })
                .collect(),
        ),
        MetricData::ExponentialHistogram(histogram) => (
            MetricKind::Histogram,
            histogram
                .data_points()
                .map(|p| DataPoint {
                    attributes: sorted(p.attributes().cloned()),
                    value: PointValue::Histogram {
                        count: u64::try_from(p.count()).unwrap_or(u64::MAX),
                        sum: number(p.sum()),
                        min: p.min().map(number),
                        max: p.max().map(number),
                        bounds: Vec::new(),
                        bucket_counts: Vec::new(),
                    },
                })
                .collect(),
        ),
    }
}

/// A collection as plain data: metrics sorted by name and scope, points by attributes.
pub(crate) fn convert(collected: &ResourceMetrics) -> Vec<CapturedMetric> {
    let mut metrics = Vec::new();
    for scope in collected.scope_metrics() {
        for metric in scope.metrics() {
            let (kind, mut points) = match metric.data() {
                AggregatedMetrics::F64(data) => convert_data(data),
                AggregatedMetrics::U64(data) => convert_data(data),
                AggregatedMetrics::I64(data) => convert_data(data),
            };
            points.sort_by_cached_key(|p| crate::render::attributes_inline(&p.attributes));
            metrics.push(CapturedMetric {
                scope: scope.scope().name().to_owned(),
                name: metric.name().to_owned(),
                description: metric.description().to_owned(),
                unit: metric.unit().to_owned(),
                kind,
                points,
            });
        }
    }
    metrics.sort_by(|a, b| (&a.name, &a.scope).cmp(&(&b.name, &b.scope)));
    metrics
}

impl CapturedMetrics {
    pub(crate) fn new(metrics: Vec<CapturedMetric>, problems: Vec<String>) -> Self {
        Self { metrics, problems }
    }

    /// Every metric, sorted by name.
    pub fn all(&self) -> &[CapturedMetric] {
        &self.metrics
    }

    /// The names of every metric, sorted.
    pub fn names(&self) -> Vec<&str> {
        self.metrics.iter().map(|m| m.name.as_str()).collect()
    }
}

impl fmt::Display for CapturedMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.metrics.is_empty() {
            return writeln!(f, "(no metrics)");
        }
        for metric in &self.metrics {
            write!(f, "{metric}")?;
        }
        Ok(())
    }
}

impl fmt::Display for CapturedMetric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} [{}] unit {:?} ({}){}",
            self.name,
            self.kind,
            self.unit,
            self.scope,
            if self.description.is_empty() {
                String::new()
            } else {
                format!(" {:?}", self.description)
            }
        )?;
        for point in &self.points {
            writeln!(f, "    {point}")?;
        }
        Ok(())
    }
}

impl fmt::Display for DataPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{{}}} ", crate::render::attributes_inline(&self.attributes))?;
        write!(f, "{}", self.value)
    }
}

impl fmt::Display for PointValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(n) => write!(f, "= {n}"),
            Self::Histogram { count, sum, min, max, bounds, bucket_counts } => {
                let mut text = format!("count {count}, sum {sum}");
                if let Some(min) = min {
                    let _ = write!(text, ", min {min}");
                }
                if let Some(max) = max {
                    let _ = write!(text, ", max {max}");
                }
                if !bounds.is_empty() {
                    let _ = write!(text, ", bounds {bounds:?}, buckets {bucket_counts:?}");
                }
                f.write_str(&text)
            }
        }
    }
}

impl fmt::Display for MetricKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Counter => "counter",
            Self::UpDownCounter => "up-down counter",
            Self::Gauge => "gauge",
            Self::Histogram => "histogram",
        })
    }
}
