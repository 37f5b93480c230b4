//! The code `#[traced]` generates around a function body.
//!
//! Every path in the output is absolute through the run-time support module the entry point
//! names (`::floe_core::__private` or `::floe_telemetry::__private`), so the user needs
//! nothing in scope but the macro itself (and `TRACER_NAME`, when no `tracer` is given).
//! Local variables of the expansion use mixed-site hygiene: the body cannot see them.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned as _;
use syn::{FnArg, Ident, ItemFn, LitStr, Pat, ReturnType};

use crate::args::{FloeAttributes, Naming, TracedArgs};

/// One parameter of the traced function, as `attributes_fn` and `fields` see it.
enum Param<'a> {
    /// `self`, `&self`, `&mut self`, `self: Box<Self>`: the `self` token and whether the
    /// parameter is a reference.
    Receiver(&'a syn::Receiver),
    /// A parameter bound to a plain name.
    Named(&'a Ident),
    /// A destructuring or wildcard pattern: it has no name to pass on.
    Pattern(&'a Pat),
}

/// Wraps the body of `item` in a span described by `args`.
pub(crate) fn expand(
    rt: &TokenStream,
    args: &TracedArgs,
    mut item: ItemFn,
) -> syn::Result<TokenStream> {
    if let Some(constness) = &item.sig.constness {
        return Err(syn::Error::new_spanned(
            constness,
            "`#[traced]` cannot trace a `const fn`: spans exist only at run time",
        ));
    }
    let params: Vec<Param<'_>> = item.sig.inputs.iter().map(param).collect();
    check_named(args, &params)?;

    let start = span_start(rt, args, &item, &params)?;
    let span = Ident::new("floe_traced_span", Span::mixed_site());
    let ret = Ident::new("floe_traced_return", Span::mixed_site());
    let block = &item.block;
    let (ret_ty, unit) = match &item.sig.output {
        ReturnType::Default => (quote!(()), true),
        // `-> ()` written out: no return value to bind or inspect either.
        ReturnType::Type(_, ty) if matches!(&**ty, syn::Type::Tuple(t) if t.elems.is_empty()) => {
            (quote!(()), true)
        }
        ReturnType::Type(_, ty) => (ty.to_token_stream(), false),
    };
    // A return type that mentions `impl Trait` cannot be named inside the body; the body's
    // type is then left to inference (the documented limit: `?` needs a nameable type).
    let turbofish =
        if mentions_impl_trait(&item.sig.output) { quote!() } else { quote!(::<#ret_ty, _>) };
    let run = if item.sig.asyncness.is_some() {
        quote!(#rt::run_async #turbofish (#span, async move #block).await)
    } else {
        quote!(#rt::run_sync #turbofish (#span, move || #block))
    };
    let body = if unit {
        quote! {{
            let #span = #start;
            let ((), #span) = #run;
            #span.succeed();
        }}
    } else {
        quote! {{
            let #span = #start;
            let (#ret, #span) = #run;
            {
                #[allow(
                    unused_imports,
                    reason = "only the trait that matches the return type is used"
                )]
                use #rt::{
                    DisplayOutcome as _, ErrorOutcome as _, PlainOutcome as _,
                };
                #[allow(
                    clippy::needless_borrow,
                    clippy::needless_borrows_for_generic_args,
                    reason = "the borrows select the outcome by autoref specialization"
                )]
                (&&&#rt::Outcome(&#ret)).finish(#span);
            }
            #ret
        }}
    };
    *item.block = syn::parse2(body)?;
    Ok(item.into_token_stream())
}

fn param(arg: &FnArg) -> Param<'_> {
    match arg {
        FnArg::Receiver(receiver) => Param::Receiver(receiver),
        FnArg::Typed(typed) => match &*typed.pat {
            Pat::Ident(pat) if pat.subpat.is_none() => Param::Named(&pat.ident),
            other => Param::Pattern(other),
        },
    }
}

/// `skip` and `fields` name parameters that exist, and no parameter is in both.
fn check_named(args: &TracedArgs, params: &[Param<'_>]) -> syn::Result<()> {
    let exists = |ident: &Ident| {
        params.iter().any(|p| match p {
            Param::Named(name) => *name == ident,
            Param::Receiver(_) => ident == "self",
            Param::Pattern(_) => false,
        })
    };
    for ident in args.skip.iter().chain(&args.fields) {
        if !exists(ident) {
            return Err(syn::Error::new_spanned(
                ident,
                format!("the function has no parameter named `{ident}`"),
            ));
        }
    }
    if let Some(ident) = args.fields.iter().find(|f| args.skip.contains(f)) {
        return Err(syn::Error::new_spanned(
            ident,
            format!("`{ident}` is both skipped and recorded: remove it from `skip` or `fields`"),
        ));
    }
    if let Some(ident) = args.fields.iter().find(|f| *f == "self") {
        return Err(syn::Error::new_spanned(
            ident,
            "`self` cannot be recorded as a field: record what you need with `attributes(...)`",
        ));
    }
    Ok(())
}

/// The expression that starts the span.
fn span_start(
    rt: &TokenStream,
    args: &TracedArgs,
    item: &ItemFn,
    params: &[Param<'_>],
) -> syn::Result<TokenStream> {
    let tracer = args
        .tracer
        .as_ref()
        .map_or_else(|| quote_spanned!(Span::call_site()=> TRACER_NAME), ToTokens::to_token_stream);
    let op = match &args.naming {
        Some(Naming::Name(name)) => quote!(#rt::Named(#name)),
        Some(Naming::Op(op)) => op.to_token_stream(),
        None => {
            let fn_name = LitStr::new(&item.sig.ident.to_string(), item.sig.ident.span());
            quote! {
                #rt::Named(
                    ::core::concat!(::core::module_path!(), ".", #fn_name)
                )
            }
        }
    };
    let floe = match &args.floe_attributes {
        FloeAttributes::Given(expr) => quote!(::core::option::Option::Some(#expr)),
        FloeAttributes::FromContext | FloeAttributes::Absent => {
            quote!(::core::option::Option::None)
        }
    };
    let statics = args.attributes.iter().map(|attribute| {
        let (key, value) = (&attribute.key, &attribute.value);
        quote_spanned!(value.span()=> .with(#key, &(#value)))
    });
    // Spanned on the `fields(..)` entry, so a value that cannot be recorded is reported
    // there; the re-spanned name still resolves to the parameter (same hygiene).
    let fields = args.fields.iter().map(|entry| {
        let key = LitStr::new(&format!("floe.arg.{entry}"), entry.span());
        quote_spanned! {entry.span()=>
            .with(#rt::Key::from_static_str(#key), &#entry)
        }
    });
    let dynamic = if let Some(path) = &args.attributes_fn {
        let call_args = attributes_fn_args(args, params, path.span())?;
        quote_spanned!(path.span()=> .with_dynamic(|| #path(#(#call_args),*)))
    } else {
        quote!()
    };
    Ok(quote! {
        #rt::start(
            #floe,
            #tracer,
            #op,
            #rt::Attributes::new() #(#statics)* #(#fields)* #dynamic,
        )
    })
}

/// References to every parameter not in `skip`, `self` first, spanned on the
/// `attributes_fn` path so that a signature mismatch is reported there. The names keep
/// resolving to the parameters: the attribute's tokens share the function's hygiene.
fn attributes_fn_args(
    args: &TracedArgs,
    params: &[Param<'_>],
    at: Span,
) -> syn::Result<Vec<TokenStream>> {
    let mut out = Vec::with_capacity(params.len());
    for param in params {
        match param {
            Param::Receiver(receiver) => {
                if args.skip.iter().any(|s| s == "self") {
                    continue;
                }
                let token = syn::Token![self](at);
                let is_ref = receiver.reference.is_some();
                out.push(match (is_ref, receiver.mutability.is_some()) {
                    (true, false) => quote_spanned!(at=> #token),
                    (true, true) => quote_spanned!(at=> &*#token),
                    (false, _) => quote_spanned!(at=> &#token),
                });
            }
            Param::Named(ident) => {
                if !args.skip.contains(ident) {
                    let name = Ident::new(&ident.to_string(), at);
                    out.push(quote_spanned!(at=> &#name));
                }
            }
            Param::Pattern(pat) => {
                return Err(syn::Error::new_spanned(
                    pat,
                    "`attributes_fn` receives every parameter by name: bind this one to a \
                     name, or leave it out with `skip(..)` (only named parameters can be skipped)",
                ));
            }
        }
    }
    Ok(out)
}

fn mentions_impl_trait(output: &ReturnType) -> bool {
    let ReturnType::Type(_, ty) = output else { return false };
    tokens_mention_impl(ty.to_token_stream())
}

fn tokens_mention_impl(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|tree| match tree {
        proc_macro2::TokenTree::Ident(ident) => ident == "impl",
        proc_macro2::TokenTree::Group(group) => tokens_mention_impl(group.stream()),
        _ => false,
    })
}
