//! `FloeSpanAttributes`: the platform identity every floe span carries (FR-019).

use std::sync::{LazyLock, PoisonError, RwLock};

use opentelemetry::{Context, KeyValue};

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

static PROCESS_DEFAULT: LazyLock<RwLock<FloeSpanAttributes>> =
    LazyLock::new(|| RwLock::new(FloeSpanAttributes::new("default")));

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
        *PROCESS_DEFAULT.write().unwrap_or_else(PoisonError::into_inner) = attrs;
    }

    /// A context like `cx` that carries these attributes.
    pub fn in_context(self, cx: &Context) -> Context {
        cx.with_value(self)
    }

    /// Makes these the attributes of the current context until the guard drops.
    pub fn attach(self) -> opentelemetry::ContextGuard {
        Context::current_with_value(self).attach()
    }

    /// The attributes as key/values, skipping unset ones.
    pub fn to_key_values(&self) -> Vec<KeyValue> {
        let mut out = Vec::with_capacity(4);
        out.push(KeyValue::new(attr::FLOE_NAMESPACE, self.namespace.clone()));
        if let Some(name) = &self.product_name {
            out.push(KeyValue::new(attr::FLOE_PRODUCT_NAME, name.clone()));
        }
        if let Some(version) = &self.product_version {
            out.push(KeyValue::new(attr::FLOE_PRODUCT_VERSION, version.clone()));
        }
        if let Some(mode) = &self.mode {
            out.push(KeyValue::new(attr::FLOE_MODE, mode.clone()));
        }
        out
    }
}
