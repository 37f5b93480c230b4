//! `FloeSpanAttributes`: the platform identity every floe span carries (FR-019).

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, PoisonError, RwLock};

use opentelemetry::{Context, Key, KeyValue, Value};

use super::attr;
use super::intern::interned;

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

static PROCESS_DEFAULT: LazyLock<RwLock<FloeSpanAttributes>> =
    LazyLock::new(|| RwLock::new(FloeSpanAttributes::new("default")));

/// Bumped by every `set_process_default`, under its write lock.
static DEFAULT_GENERATION: AtomicU64 = AtomicU64::new(0);

/// A `floe.*` key and its interned value.
type Pair = (Key, &'static str);

thread_local! {
    /// The process default as key/value pairs, per thread, with the generation it was read
    /// at: a span start outside any scoped attributes (the common case) builds its key/values
    /// from these instead of taking the lock and converting four strings (measured by the
    /// `span_floor` bench). The values are interned, so a span holds them as
    /// `&'static str`: see [`key_values_in`](FloeSpanAttributes::key_values_in).
    static DEFAULT_PAIRS: RefCell<Option<(u64, Vec<Pair>)>> =
        const { RefCell::new(None) };
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
        Context::map_current(|cx| cx.get::<Self>().cloned()).unwrap_or_else(Self::process_default)
    }

    /// The attributes of `cx`, else the process default.
    pub fn of(cx: &Context) -> Self {
        cx.get::<Self>().cloned().unwrap_or_else(Self::process_default)
    }

    /// The process default.
    pub fn process_default() -> Self {
        PROCESS_DEFAULT.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Replaces the process default (telemetry start-up does this from the manifest).
    pub fn set_process_default(attrs: Self) {
        let mut default = PROCESS_DEFAULT.write().unwrap_or_else(PoisonError::into_inner);
        *default = attrs;
        DEFAULT_GENERATION.fetch_add(1, Ordering::Release);
    }

    /// A context like `cx` that carries these attributes.
    pub fn in_context(self, cx: &Context) -> Context {
        cx.with_value(self)
    }

    /// Makes these the attributes of the current context until the guard drops.
    pub fn attach(self) -> opentelemetry::ContextGuard {
        Context::current_with_value(self).attach()
    }

    /// The attributes as key/values, skipping unset ones (reference-counted strings, so
    /// cloning them allocates nothing).
    pub fn to_key_values(&self) -> Vec<KeyValue> {
        self.key_values_with_room(0)
    }

    /// The key/values of the attributes `cx` carries (else the process default), with
    /// room for `extra` more. Read in place, never cloned first: this is every domain
    /// span's start, and cloning the struct before converting it doubled the string
    /// copies a span start makes.
    pub(crate) fn key_values_in(cx: &Context, extra: usize) -> Vec<KeyValue> {
        if let Some(attributes) = cx.get::<Self>() {
            return attributes.key_values_with_room(extra);
        }
        // Read before the default itself: pairs cached under this generation were current
        // when read, and a later `set_process_default` only makes them stale.
        let generation = DEFAULT_GENERATION.load(Ordering::Acquire);
        DEFAULT_PAIRS.with_borrow_mut(|slot| {
            let pairs = match slot {
                Some((seen, pairs)) if *seen == generation => pairs,
                _ => {
                    let default = PROCESS_DEFAULT.read().unwrap_or_else(PoisonError::into_inner);
                    &mut slot.insert((generation, default.interned_pairs())).1
                }
            };
            let mut out = Vec::with_capacity(pairs.len() + extra);
            out.extend(pairs.iter().map(|(key, value)| KeyValue::new(key.clone(), *value)));
            out
        })
    }

    /// The set attributes as `(key, value)` with the values interned. Only the process
    /// default is interned: it is set a bounded number of times (once at start-up), and
    /// every span outside scoped attributes carries it. A `&'static str` value is copied
    /// into a span and dropped on the export thread without touching a shared count; the
    /// reference-counted values of [`to_key_values`](Self::to_key_values) cost an atomic
    /// increment per span and a decrement on the export thread, on the same four counts, and
    /// in the `span_floor` bench most of a value's clone was waiting for that count's cache
    /// line. Scoped attributes (a tenant, a product run) are not interned: there can be any
    /// number of them over a process's life.
    fn interned_pairs(&self) -> Vec<Pair> {
        let mut pairs = vec![(attr::FLOE_NAMESPACE, interned(&self.namespace))];
        let optional = [
            (attr::FLOE_PRODUCT_NAME, &self.product_name),
            (attr::FLOE_PRODUCT_VERSION, &self.product_version),
            (attr::FLOE_MODE, &self.mode),
        ];
        pairs.extend(
            optional
                .into_iter()
                .filter_map(|(key, value)| Some((key, interned(value.as_deref()?)))),
        );
        pairs
    }

    /// The values are reference-counted strings: a clone of one is a count update where an
    /// owned string was an allocation, a copy and, on the export thread, a free (measured by
    /// the `span_floor` bench when its raw span cloned `to_key_values()`: 420 to 470 ns with
    /// owned strings, 360 to 390 ns with shared ones).
    fn key_values_with_room(&self, extra: usize) -> Vec<KeyValue> {
        let shared = |value: &str| Value::String(Arc::<str>::from(value).into());
        let mut out = Vec::with_capacity(4 + extra);
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn namespace_in(cx: &Context) -> Option<String> {
        FloeSpanAttributes::key_values_in(cx, 0)
            .into_iter()
            .find(|kv| kv.key == attr::FLOE_NAMESPACE)
            .map(|kv| kv.value.to_string())
    }

    /// The per-thread copy of the process default follows every change, on the thread
    /// that made it and on others; attributes in the context still come first. (The only
    /// test of this binary that changes the process default.)
    #[test]
    fn span_starts_see_every_change_of_the_process_default() {
        let empty = Context::new();
        FloeSpanAttributes::set_process_default(FloeSpanAttributes::new("first"));
        assert_eq!(namespace_in(&empty).as_deref(), Some("first"));
        FloeSpanAttributes::set_process_default(
            FloeSpanAttributes::new("second").with_mode("batch"),
        );
        assert_eq!(namespace_in(&empty).as_deref(), Some("second"));
        assert_eq!(FloeSpanAttributes::key_values_in(&empty, 2).len(), 2);
        // Interned, the default reads exactly as its shared-string form: every key, in order.
        let full =
            FloeSpanAttributes::new("third").with_product("orders", "1.4.2").with_mode("batch");
        FloeSpanAttributes::set_process_default(full.clone());
        let started = FloeSpanAttributes::key_values_in(&empty, 0);
        assert_eq!(started, full.to_key_values());
        assert_eq!(started.len(), 4, "{started:?}");
        let elsewhere = std::thread::spawn(|| namespace_in(&Context::new())).join().ok();
        assert_eq!(elsewhere.flatten().as_deref(), Some("third"));
        let scoped = FloeSpanAttributes::new("scoped").in_context(&empty);
        assert_eq!(namespace_in(&scoped).as_deref(), Some("scoped"));
        FloeSpanAttributes::set_process_default(FloeSpanAttributes::new("default"));
        assert_eq!(namespace_in(&empty).as_deref(), Some("default"));
    }
}
