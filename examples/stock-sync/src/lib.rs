//! stock-sync: brings a shop's stock levels in line with its supplier's feed.
//!
//! An ordinary instrumented library: `#[tracing::instrument]` on the sync, `tracing`
//! events, a client span per request from `opentelemetry::global::tracer`, a counter from
//! `opentelemetry::global::meter`, and one task per SKU spawned on the caller's runtime.
//! Its tests (`tests/sync.rs`) show how floe-otel-testkit tests such a library.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use opentelemetry::KeyValue;
use opentelemetry::trace::{Span as _, SpanKind, Status, Tracer as _};
use tracing::Instrument as _;

/// The name of this library's tracer and meter.
pub const INSTRUMENTATION: &str = "stock-sync";

/// What the supplier's feed answers for one SKU (the feed is in memory: this is an
/// example of instrumentation, not of a protocol).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// The stock level.
    Level(u32),
    /// The token was refused.
    Unauthorized,
    /// The supplier could not answer.
    Unavailable,
}

/// A supplier: its name, the API token the shop uses with it, and its feed.
#[derive(Clone)]
pub struct Supplier {
    name: String,
    token: String,
    feed: Arc<HashMap<String, Answer>>,
}

impl fmt::Debug for Supplier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Supplier").field("name", &self.name).finish_non_exhaustive()
    }
}

/// A sync that did not complete. No message carries the token.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The supplier refused the token.
    #[error("supplier {supplier} refused the shop's token for sku {sku}")]
    Unauthorized {
        /// The supplier.
        supplier: String,
        /// The SKU asked for.
        sku: String,
    },
    /// The supplier could not answer.
    #[error("supplier {supplier} is unavailable for sku {sku}")]
    Unavailable {
        /// The supplier.
        supplier: String,
        /// The SKU asked for.
        sku: String,
    },
    /// The supplier does not know the SKU.
    #[error("supplier {supplier} does not know sku {sku}")]
    UnknownSku {
        /// The supplier.
        supplier: String,
        /// The SKU asked for.
        sku: String,
    },
}

impl SyncError {
    /// A short, stable name for the `error.type` attribute.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Unauthorized { .. } => "unauthorized",
            Self::Unavailable { .. } => "unavailable",
            Self::UnknownSku { .. } => "unknown_sku",
        }
    }
}

/// The stock levels a sync brought back, in the order the SKUs were given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// `(sku, level)` pairs.
    pub levels: Vec<(String, u32)>,
}

impl Supplier {
    /// A supplier whose feed answers `feed`.
    pub fn new(
        name: impl Into<String>,
        token: impl Into<String>,
        feed: impl IntoIterator<Item = (String, Answer)>,
    ) -> Self {
        Self { name: name.into(), token: token.into(), feed: Arc::new(feed.into_iter().collect()) }
    }

    /// Asks the feed for one SKU's level, in a client span `supplier.fetch`.
    async fn fetch(&self, sku: &str) -> Result<u32, SyncError> {
        let tracer = opentelemetry::global::tracer(INSTRUMENTATION);
        let mut span = tracer
            .span_builder("supplier.fetch")
            .with_kind(SpanKind::Client)
            .with_attributes([
                KeyValue::new("stock.sku", sku.to_owned()),
                KeyValue::new("supplier.name", self.name.clone()),
            ])
            .start(&tracer);
        let _authorization = format!("Bearer {}", self.token);
        tracing::debug!(supplier = %self.name, sku, "asking the supplier");
        tokio::task::yield_now().await;
        let (supplier, sku) = (self.name.clone(), sku.to_owned());
        let result = match self.feed.get(&sku) {
            Some(Answer::Level(level)) => Ok(*level),
            Some(Answer::Unauthorized) => Err(SyncError::Unauthorized { supplier, sku }),
            Some(Answer::Unavailable) => Err(SyncError::Unavailable { supplier, sku }),
            None => Err(SyncError::UnknownSku { supplier, sku }),
        };
        match &result {
            Ok(level) => {
                span.set_attribute(KeyValue::new("stock.level", i64::from(*level)));
                span.set_status(Status::Ok);
            }
            Err(error) => {
                span.set_attribute(KeyValue::new("error.type", error.kind()));
                span.set_status(Status::error(error.to_string()));
            }
        }
        span.end();
        result
    }
}

/// Brings the levels of `skus` in: one task per SKU, all at once, on the caller's tokio
/// runtime. Fails with the first SKU that failed.
///
/// # Errors
/// When the supplier refuses the token, cannot answer, or does not know a SKU.
///
/// # Panics
/// When a fetch task panics.
// `tracing-opentelemetry` records `u64`/`usize` fields as text: the count is an `i64`
#[tracing::instrument(
    name = "stock.sync",
    skip_all,
    fields(supplier = %supplier.name, skus = i64::try_from(skus.len()).unwrap_or(i64::MAX))
)]
pub async fn sync(supplier: &Supplier, skus: &[&str]) -> Result<Report, SyncError> {
    let tasks: Vec<_> = skus
        .iter()
        .map(|sku| {
            let (supplier, sku) = (supplier.clone(), (*sku).to_owned());
            // `in_current_span` carries this sync's span (and its trace) into the task
            tokio::spawn(
                async move { supplier.fetch(&sku).await.map(|level| (sku, level)) }
                    .in_current_span(),
            )
        })
        .collect();
    let mut levels = Vec::with_capacity(tasks.len());
    let mut failure = None;
    for task in tasks {
        match task.await.expect("a fetch task panicked") {
            Ok(level) => levels.push(level),
            Err(error) => {
                tracing::error!(error = %error, "a sku could not be synced");
                failure.get_or_insert(error);
            }
        }
    }
    if let Some(error) = failure {
        return Err(error);
    }
    opentelemetry::global::meter(INSTRUMENTATION)
        .u64_counter("stock.synced")
        .with_unit("{sku}")
        .build()
        .add(levels.len() as u64, &[KeyValue::new("supplier.name", supplier.name.clone())]);
    tracing::info!(synced = levels.len(), "stock synced");
    Ok(Report { levels })
}
