//! `#[traced]`: the one instrumentation macro of the floe platform.
//!
//! Use it through one of its re-exports: `floe_core::traced` in plugins and other crates
//! that depend on floe-core, `floe_telemetry::traced` in crates that depend only on the span
//! layer. The two are the same macro; each entry point names the run-time support of the
//! crate it is re-exported from (`::floe_core::__private`, which re-exports
//! `::floe_telemetry::__private`), so a crate needs only the floe dependency it already has.
//! Two entry points instead of finding the dependency in the caller's `Cargo.toml` keep the
//! expansion independent of manifest parsing (and of a renamed dependency resolving
//! differently at build time than at expansion time).

mod args;
mod expand;

use proc_macro::TokenStream;
use quote::ToTokens as _;

use crate::args::TracedArgs;

/// Runs a function inside a floe domain span.
///
/// In a plugin the imports are `floe_core::telemetry::{Operation, attr}` and
/// `floe_core::traced` (`floe_core`'s documentation of the re-export compiles that form);
/// this crate's own examples and UI tests use the `floe_telemetry` entry point, whose
/// expansion differs only in that path, so that they build without the platform.
///
/// ```
/// use floe_telemetry::{Operation, attr};
/// use floe_telemetry::traced;
///
/// const TRACER_NAME: &str = "floe.example";
///
/// #[derive(Clone, Copy)]
/// enum CatalogOp { LoadTable }
/// impl Operation for CatalogOp {
///     fn span_name(self) -> &'static str { "catalog.load_table" }
/// }
///
/// #[derive(Debug, thiserror::Error)]
/// #[error("table {0} not found")]
/// struct NotFound(String);
///
/// #[traced(op = CatalogOp::LoadTable, attributes(attr::FLOE_MODE = "dev"), fields(table))]
/// fn load_table(table: &str, token: &str) -> Result<u64, NotFound> {
///     let _ = token; // never recorded: arguments are recorded only when listed in `fields`
///     if table == "orders" { Ok(42) } else { Err(NotFound(table.to_owned())) }
/// }
///
/// assert_eq!(load_table("orders", "s3cr3t").unwrap(), 42);
/// assert!(load_table("missing", "s3cr3t").is_err());
/// ```
///
/// # What it records
/// - The span starts when the function is called (for an `async fn`, when its future is
///   first polled) as a child of the current context, carries the `FloeSpanAttributes`
///   of that context, and is current while the body runs: nested traced calls become its
///   children. In an `async fn` it is current during every poll, across every `.await`.
/// - It ends from what the body returned:
///   - `Ok(_)`, or any value that is not a `Result`: status `Ok`;
///   - `Err(e)` where `e: std::error::Error`: status `Error` with the sanitized `Display`
///     of `e` and its source chain, an `exception` event and `error.type`, whose
///     `exception.type` is the error's type name (through `DomainSpan::fail`, so
///     `floe_core::telemetry::record_failure` is the one writer of error statuses);
///   - `Err(e)` where `e` is only `Display` (`Box<dyn Error>`, `String`): the same from its
///     sanitized `Display`, without a source chain;
///   - a panic: status `Error` with the sanitized panic message; the panic then continues;
///   - an `async fn` whose future is dropped before it completes: the span ends with
///     `floe.cancelled = true` and an unset status.
///
/// `Result` is recognised by type, not by spelling: `io::Result<T>` and other aliases
/// work. The type must be known where the function is defined: a generic return type
/// `T` that happens to be a `Result` at a call site ends as `Ok`, and so does a
/// `Result<_, E>` whose generic `E` has neither an `Error` nor a `Display` bound.
///
/// # Options
/// | option | meaning |
/// | --- | --- |
/// | `op = <expr>` | the span's `Operation` (name and kind). Plugins always use this. |
/// | `name = "a.b"` | a literal span name (kind `Internal`); for non-plugin code. |
/// | neither | the span is named `<module path>.<function name>`; for non-plugin code only. |
/// | `tracer = <expr>` | the tracer name, an expression of type `&str`. |
/// | no `tracer` | the identifier `TRACER_NAME`, resolved where the function is written: define it or `use crate::telemetry::TRACER_NAME;` in that module. |
/// | `attributes(key = value, ...)` | attributes set when the span starts. Each key is a `Key` constant (`attr::CATALOG_TABLE`), never a string; each value is an expression evaluated at span start that may use the parameters; a reference to it must implement `ToAttrValue` (strings, integers, floats, `bool`, `Option` of those: `None` records nothing). |
/// | `floe_attributes` | the default: the span carries the current context's `FloeSpanAttributes`. Accepted bare for readability. |
/// | `floe_attributes = <expr>` | the span (and everything under it) carries these `FloeSpanAttributes` instead. |
/// | `attributes_fn = path` | called at span start with a reference to every parameter not in `skip` (`self` first, as `&Self`); returns `Vec<KeyValue>`, `[KeyValue; N]`, or a `Result` of those whose error is `Display`. An `Err` or a panic never fails the call: the span gets `floe.instrumentation.error` with a sanitized reason and the function runs. |
/// | `skip(arg, ...)` | these parameters are not passed to `attributes_fn` (use it for credentials). |
/// | `fields(arg, ...)` | record these parameters as `floe.arg.<name>` attributes. Parameters are never recorded unless listed here: they may be secrets. |
///
/// # Limits
/// - `const fn` is refused. A non-`async` function returning `impl Future` is traced
///   around creating the future, not running it: write it as `async fn`.
/// - A return type that mentions `impl Trait` is left to inference inside the body, so
///   `?` in such a body may need a type annotation.
///
/// # Errors
/// Options are checked at compile time: an unknown option, a value of the wrong form, a
/// `skip` or `fields` entry that names no parameter, use on an item that is not a function
/// with a body. The error points at the offending token and the item is emitted unchanged
/// beside it.
#[proc_macro_attribute]
pub fn traced(attr: TokenStream, item: TokenStream) -> TokenStream {
    traced_with(&quote::quote!(::floe_core::__private), attr, item)
}

/// `#[traced]` for crates that depend on floe-telemetry and not on floe-core; re-exported
/// as `floe_telemetry::traced`. Identical to [`macro@traced`] but for the path of the
/// run-time support it expands to (`::floe_telemetry::__private`).
#[proc_macro_attribute]
pub fn traced_with_telemetry(attr: TokenStream, item: TokenStream) -> TokenStream {
    traced_with(&quote::quote!(::floe_telemetry::__private), attr, item)
}

/// The expansion behind both entry points, with `rt` the run-time support module.
fn traced_with(rt: &proc_macro2::TokenStream, attr: TokenStream, item: TokenStream) -> TokenStream {
    let original = proc_macro2::TokenStream::from(item.clone());
    let args = match syn::parse::<TracedArgs>(attr) {
        Ok(args) => args,
        Err(error) => return beside(&error, original),
    };
    let function = match syn::parse::<syn::ItemFn>(item) {
        Ok(function) => function,
        Err(error) => return beside(&not_a_function(&original).unwrap_or(error), original),
    };
    match expand::expand(rt, &args, function) {
        Ok(tokens) => tokens.into(),
        Err(error) => beside(&error, original),
    }
}

/// The item unchanged, with the error beside it, so rustc also reports the user's own
/// mistakes in the item.
fn beside(error: &syn::Error, item: proc_macro2::TokenStream) -> TokenStream {
    let mut out = error.to_compile_error();
    out.extend(item);
    out.into()
}

/// An error spanned on the keyword of an item that is not a function with a body.
fn not_a_function(item: &proc_macro2::TokenStream) -> Option<syn::Error> {
    const MESSAGE: &str = "`#[traced]` can only be used on a function or method with a body";
    if let Ok(declaration) = syn::parse2::<syn::TraitItemFn>(item.clone()) {
        return declaration
            .default
            .is_none()
            .then(|| syn::Error::new_spanned(&declaration.sig, MESSAGE));
    }
    let item = syn::parse2::<syn::Item>(item.clone()).ok()?;
    let keyword = match &item {
        syn::Item::Fn(_) => return None,
        syn::Item::Struct(it) => it.struct_token.to_token_stream(),
        syn::Item::Enum(it) => it.enum_token.to_token_stream(),
        syn::Item::Union(it) => it.union_token.to_token_stream(),
        syn::Item::Impl(it) => it.impl_token.to_token_stream(),
        syn::Item::Trait(it) => it.trait_token.to_token_stream(),
        syn::Item::Mod(it) => it.mod_token.to_token_stream(),
        syn::Item::Const(it) => it.const_token.to_token_stream(),
        syn::Item::Static(it) => it.static_token.to_token_stream(),
        syn::Item::Type(it) => it.type_token.to_token_stream(),
        syn::Item::Use(it) => it.use_token.to_token_stream(),
        other => other.to_token_stream(),
    };
    Some(syn::Error::new_spanned(keyword, MESSAGE))
}
