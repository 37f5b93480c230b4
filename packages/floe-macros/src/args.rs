//! The options of `#[traced(...)]`, parsed into a typed struct.

use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, LitStr, Path, Token, parenthesized};

/// Every option key, in the order the error message lists them.
const KEYS: &str = "name, op, tracer, attributes, floe_attributes, attributes_fn, skip, fields";

/// The parsed options.
#[derive(Default)]
pub(crate) struct TracedArgs {
    /// How the span is named.
    pub(crate) naming: Option<Naming>,
    /// `tracer = <expr of type &str>`.
    pub(crate) tracer: Option<Expr>,
    /// `attributes(key = value, ...)`.
    pub(crate) attributes: Vec<StaticAttribute>,
    /// How the span gets its `FloeSpanAttributes`.
    pub(crate) floe_attributes: FloeAttributes,
    /// `attributes_fn = path`.
    pub(crate) attributes_fn: Option<Path>,
    /// `skip(arg, ...)`.
    pub(crate) skip: Vec<Ident>,
    /// `fields(arg, ...)`.
    pub(crate) fields: Vec<Ident>,
}

/// `floe_attributes`: absent or bare (the default, accepted for clarity: the span carries
/// the context's attributes), or `floe_attributes = <expr of type FloeSpanAttributes>`.
#[derive(Default)]
pub(crate) enum FloeAttributes {
    /// Not given.
    #[default]
    Absent,
    /// `floe_attributes`.
    FromContext,
    /// `floe_attributes = <expr>`.
    Given(Expr),
}

/// `name = "..."` or `op = <expr>`.
pub(crate) enum Naming {
    /// A literal span name.
    Name(LitStr),
    /// An expression of a type implementing `Operation`.
    Op(Expr),
}

/// One `key = value` of `attributes(...)`.
pub(crate) struct StaticAttribute {
    /// An expression of type `opentelemetry::Key` (an `attr` constant).
    pub(crate) key: Path,
    /// An expression whose reference implements `ToAttrValue`.
    pub(crate) value: Expr,
}

impl Parse for TracedArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut args = Self::default();
        // Bounded by the input: every iteration consumes at least one token or returns.
        while !input.is_empty() {
            let key: Ident = input.call(syn::ext::IdentExt::parse_any)?;
            match key.to_string().as_str() {
                "name" => {
                    input.parse::<Token![=]>()?;
                    let value = parse_value::<LitStr>(input, &key, "a string literal span name")?;
                    set_naming(&mut args.naming, &key, Naming::Name(value))?;
                }
                "op" => {
                    input.parse::<Token![=]>()?;
                    let value: Expr = input.parse()?;
                    set_naming(&mut args.naming, &key, Naming::Op(value))?;
                }
                "tracer" => {
                    input.parse::<Token![=]>()?;
                    let value: Expr = input.parse()?;
                    set_once(&mut args.tracer, &key, value)?;
                }
                "attributes" => {
                    let content;
                    parenthesized!(content in input);
                    let list =
                        Punctuated::<StaticAttribute, Token![,]>::parse_terminated(&content)?;
                    args.attributes.extend(list);
                }
                "floe_attributes" => {
                    if !matches!(args.floe_attributes, FloeAttributes::Absent) {
                        return Err(syn::Error::new_spanned(
                            &key,
                            "duplicate `#[traced]` option `floe_attributes`",
                        ));
                    }
                    args.floe_attributes = if input.peek(Token![=]) {
                        input.parse::<Token![=]>()?;
                        FloeAttributes::Given(input.parse()?)
                    } else {
                        FloeAttributes::FromContext
                    };
                }
                "attributes_fn" => {
                    input.parse::<Token![=]>()?;
                    let value = parse_value::<Path>(input, &key, "a path to a function")?;
                    set_once(&mut args.attributes_fn, &key, value)?;
                }
                "skip" => args.skip.extend(parse_idents(input)?),
                "fields" => args.fields.extend(parse_idents(input)?),
                _ => {
                    return Err(syn::Error::new_spanned(
                        &key,
                        format!("unknown `#[traced]` option `{key}`; expected one of: {KEYS}"),
                    ));
                }
            }
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        Ok(args)
    }
}

impl Parse for StaticAttribute {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(LitStr) {
            let literal: LitStr = input.parse()?;
            return Err(syn::Error::new_spanned(
                literal,
                "attribute keys are constants, not strings: use a key from \
                 `floe_core::telemetry::attr` (or your crate's own `Key` constant)",
            ));
        }
        let key: Path = input.parse()?;
        input.parse::<Token![=]>()?;
        let value: Expr = input.parse()?;
        Ok(Self { key, value })
    }
}

/// Parses `T`, or fails with an error spanned on the value that says what `key` expects.
fn parse_value<T: Parse>(input: ParseStream<'_>, key: &Ident, expected: &str) -> syn::Result<T> {
    if input.fork().parse::<T>().is_ok() {
        return input.parse();
    }
    let value: Expr = input.parse()?;
    Err(syn::Error::new_spanned(value, format!("`{key}` expects {expected}")))
}

/// `(ident, ident, ...)`.
fn parse_idents(input: ParseStream<'_>) -> syn::Result<Vec<Ident>> {
    let content;
    parenthesized!(content in input);
    // `parse_any` so that `skip(self)` parses and `fields(self)` gets our own error.
    let list = Punctuated::<Ident, Token![,]>::parse_terminated_with(
        &content,
        syn::ext::IdentExt::parse_any,
    )?;
    Ok(list.into_iter().collect())
}

fn set_once<T>(slot: &mut Option<T>, key: &Ident, value: T) -> syn::Result<()> {
    if slot.is_some() {
        return Err(syn::Error::new_spanned(key, format!("duplicate `#[traced]` option `{key}`")));
    }
    *slot = Some(value);
    Ok(())
}

fn set_naming(slot: &mut Option<Naming>, key: &Ident, value: Naming) -> syn::Result<()> {
    if slot.is_some() {
        return Err(syn::Error::new_spanned(
            key,
            "`name` and `op` both name the span: give exactly one of them",
        ));
    }
    *slot = Some(value);
    Ok(())
}
