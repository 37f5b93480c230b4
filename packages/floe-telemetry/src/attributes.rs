//! `FloeSpanAttributes`: the platform identity every floe span carries (FR-019).
//!
//! A span copies them on every start, so they are converted to key/values once, where
//! they are set (the process default, or a context through `in_context`/`attach`), and a
//! span clones the shared strings; the process default is read through a per-thread copy
//! that is refreshed when it changes.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, PoisonError, RwLock};

use opentelemetry::{Context, KeyValue, StringValue};

use super::attr;

/// `floe.namespace`, `floe.product.name`, `floe.product.version` and `floe.mode`.
///
/// The attributes of the current operation are looked up in the OpenTelemetry
/// [`Context`] first (so a test or a multi-tenant host can scope them to one piece of
/// work), then in the process default that telemetry start-up sets.
///
/// # Examples
/// ```
/// use floe_telemetry::FloeSpanAttributes;
///
/// let attrs = FloeSpanAttributes::new("analytics").with_product("orders", "1.2.0");
/// let _guard = attrs.clone().attach();
/// assert_eq!(FloeSpanAttributes::current(), attrs);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FloeSpanAttributes {
    /// `floe.namespace`.
    pub namespace: String,
    /// `floe.product.name`.
    pub product_name: Option<String>,
    /// `floe.product.version`.
    pub product_version: Option<String>,
    /// `floe.mode`.
    pub mode: Option<String>,
}

/// Attributes with their key/values, converted once.
#[derive(Debug)]
struct Resolved {
    attrs: FloeSpanAttributes,
    key_values: Box<[KeyValue]>,
}

impl Resolved {
    fn new(attrs: FloeSpanAttributes) -> Arc<Self> {
        let key_values = attrs.to_key_values().into_boxed_slice();
        Arc::new(Self { attrs, key_values })
    }
}

/// What `in_context` and `attach` put in a context beside the attributes themselves: their
/// key/values. Used only while the context's `FloeSpanAttributes` are still these.
#[derive(Clone, Debug)]
struct Converted(Arc<Resolved>);

/// The process default and its generation (bumped on every change).
static PROCESS_DEFAULT: LazyLock<RwLock<(u64, Arc<Resolved>)>> =
    LazyLock::new(|| RwLock::new((0, Resolved::new(FloeSpanAttributes::new("default")))));

/// The generation of the process default, read without the lock.
static DEFAULT_GENERATION: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// This thread's copy of the process default, valid while its generation is current.
    static DEFAULT_COPY: RefCell<Option<(u64, Arc<Resolved>)>> = const { RefCell::new(None) };
}

fn read_default() -> (u64, Arc<Resolved>) {
    let guard = PROCESS_DEFAULT.read().unwrap_or_else(PoisonError::into_inner);
    (guard.0, Arc::clone(&guard.1))
}

/// Runs `f` on the process default, from this thread's copy when it is current.
fn with_process_default<R>(f: impl FnOnce(&Resolved) -> R) -> R {
    let generation = DEFAULT_GENERATION.load(Ordering::Acquire);
    DEFAULT_COPY.with(|copy| {
        let Ok(mut copy) = copy.try_borrow_mut() else {
            return f(&read_default().1);
        };
        if let Some((seen, resolved)) = &*copy
            && *seen == generation
        {
            return f(resolved);
        }
        let (_, resolved) = copy.insert(read_default());
        f(resolved)
    })
}

impl FloeSpanAttributes {
    /// Attributes for `namespace` with no product.
    pub fn new(namespace: impl Into<String>) -> Self {
        Self { namespace: namespace.into(), ..Self::default() }
    }

    /// Sets the product name and version.
    #[must_use]
    pub fn with_product(mut self, name: impl Into<String>, version: impl Into<String>) -> Self {
        self.product_name = Some(name.into());
        self.product_version = Some(version.into());
        self
    }

    /// Sets the mode.
    #[must_use]
    pub fn with_mode(mut self, mode: impl Into<String>) -> Self {
        self.mode = Some(mode.into());
        self
    }

    /// The attributes in effect: the current context's, else the process default.
    pub fn current() -> Self {
        Context::map_current(Self::of)
    }

    /// The attributes of `cx`, else the process default.
    pub fn of(cx: &Context) -> Self {
        cx.get::<Self>().cloned().unwrap_or_else(Self::process_default)
    }

    /// The process default.
    pub fn process_default() -> Self {
        with_process_default(|resolved| resolved.attrs.clone())
    }

    /// Replaces the process default (telemetry start-up does this from the manifest).
    pub fn set_process_default(attrs: Self) {
        let mut guard = PROCESS_DEFAULT.write().unwrap_or_else(PoisonError::into_inner);
        let generation = guard.0 + 1;
        *guard = (generation, Resolved::new(attrs));
        DEFAULT_GENERATION.store(generation, Ordering::Release);
    }

    /// A context like `cx` that carries these attributes.
    pub fn in_context(self, cx: &Context) -> Context {
        let converted = Converted(Resolved::new(self.clone()));
        cx.with_value(converted).with_value(self)
    }

    /// Makes these the attributes of the current context until the guard drops.
    pub fn attach(self) -> opentelemetry::ContextGuard {
        Context::map_current(|cx| self.in_context(cx)).attach()
    }

    /// The attributes as key/values, skipping unset ones.
    pub fn to_key_values(&self) -> Vec<KeyValue> {
        let shared = |text: &str| StringValue::from(Arc::<str>::from(text));
        let mut out = Vec::with_capacity(4);
        out.push(KeyValue::new(attr::FLOE_NAMESPACE, shared(&self.namespace)));
        if let Some(name) = &self.product_name {
            out.push(KeyValue::new(attr::FLOE_PRODUCT_NAME, shared(name)));
        }
        if let Some(version) = &self.product_version {
            out.push(KeyValue::new(attr::FLOE_PRODUCT_VERSION, shared(version)));
        }
        if let Some(mode) = &self.mode {
            out.push(KeyValue::new(attr::FLOE_MODE, shared(mode)));
        }
        out
    }

    /// Appends the key/values of the attributes of `cx` (else the process default) to
    /// `out`, without converting them again when they were set through this type.
    pub(crate) fn extend_key_values(cx: &Context, out: &mut Vec<KeyValue>) {
        match (cx.get::<Self>(), cx.get::<Converted>()) {
            (Some(attrs), Some(Converted(resolved))) if resolved.attrs == *attrs => {
                out.extend_from_slice(&resolved.key_values);
            }
            // Put in a context by hand (`cx.with_value(attrs)`), not through `in_context`.
            (Some(attrs), _) => out.extend(attrs.to_key_values()),
            (None, _) => {
                with_process_default(|resolved| out.extend_from_slice(&resolved.key_values));
            }
        }
    }
}
