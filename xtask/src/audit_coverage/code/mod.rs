//! The non-test code of every member, as the failure-mode rule reads it: its functions
//! (with owner, parameters and return-type names), its error enums (variants, `#[from]`
//! sources and `#[error("..")]` texts), and what a piece of code mentions
//! ([`Mentions`]: calls, expression paths, `fail_soft` reasons, identifiers).
//!
//! Only syntax is read: a call is known by its name (and owner for `Type::f(..)`, arity
//! for `.f(..)`), never by its type.

use std::collections::{BTreeMap, BTreeSet};

use syn::visit::Visit;

use crate::finding::line_of;

mod mentions;
mod messages;

use crate::workspace::{Workspace, is_cfg_test};
pub(crate) use mentions::{CallForm, CallRef, Mentions};
pub(crate) use messages::explained;
use messages::template;

/// One function with a body.
pub(crate) struct FnDef<'w> {
    /// The member (package) it is in.
    pub(crate) member: &'w str,
    /// The workspace-relative file.
    pub(crate) path: &'w str,
    /// Its name.
    pub(crate) name: String,
    /// The type or trait of its `impl` block, if any.
    pub(crate) owner: Option<String>,
    /// Its parameters after `self`: name, and whether the type names a closure or future.
    pub(crate) params: Vec<(String, bool)>,
    /// Whether it takes `self`.
    pub(crate) has_self: bool,
    /// The identifiers of its return type.
    pub(crate) returns: BTreeSet<String>,
    /// The `#[traced(..)]` arguments, if it has the attribute.
    pub(crate) traced: Option<proc_macro2::TokenStream>,
    /// The body.
    pub(crate) body: &'w syn::Block,
    /// The line of its name.
    pub(crate) line: usize,
}

/// One variant of an error enum.
#[derive(Clone, Debug)]
pub(crate) struct Variant {
    /// Its name.
    pub(crate) name: String,
    /// The line of its name.
    pub(crate) line: usize,
    /// The last identifier of the type of its `#[from]` field.
    pub(crate) from: Option<String>,
    /// Whether it is `#[error(transparent)]`.
    pub(crate) transparent: bool,
    /// The last identifier of the type of its only field (for transparent messages).
    pub(crate) inner: Option<String>,
    /// Its `#[error("..")]` format string, if it has one (not `transparent`).
    pub(crate) template: Option<String>,
}

/// An enum deriving `Error`.
#[derive(Clone, Debug)]
pub(crate) struct ErrorEnum {
    /// The member it is in.
    pub(crate) member: String,
    /// The workspace-relative file.
    pub(crate) path: String,
    /// Its name.
    pub(crate) name: String,
    /// Its variants.
    pub(crate) variants: Vec<Variant>,
}

/// Every member's non-test functions and error types.
#[derive(Default)]
pub(crate) struct Code<'w> {
    /// The functions.
    pub(crate) fns: Vec<FnDef<'w>>,
    /// The error enums.
    pub(crate) enums: Vec<ErrorEnum>,
    /// The `#[error("..")]` format strings of every error type (an enum: all its
    /// variants'), by name.
    pub(crate) messages: BTreeMap<String, Vec<String>>,
}

impl<'w> Code<'w> {
    /// The code of every member of `workspace`.
    pub(crate) fn of(workspace: &'w Workspace) -> Self {
        let mut code = Self::default();
        for member in &workspace.members {
            for file in member.files.iter().filter(|f| !f.test_code) {
                let Some(ast) = file.syntax() else { continue };
                code.items(&member.name, &file.path, &ast.items, None);
            }
        }
        for e in &code.enums {
            let templates = e.variants.iter().filter_map(|v| v.template.clone()).collect();
            code.messages.entry(e.name.clone()).or_insert(templates);
        }
        code
    }

    fn items(
        &mut self,
        member: &'w str,
        path: &'w str,
        items: &'w [syn::Item],
        owner: Option<&str>,
    ) {
        for item in items {
            match item {
                syn::Item::Fn(f) if !is_cfg_test(&f.attrs) => {
                    self.function(member, path, &f.sig, &f.attrs, &f.block, owner);
                }
                syn::Item::Impl(i) if !is_cfg_test(&i.attrs) => {
                    let owner = last_ident(&i.self_ty);
                    // `type Error = X;` of a trait impl: what `Self::Error` names.
                    let error = i.items.iter().find_map(|item| match item {
                        syn::ImplItem::Type(t) if t.ident == "Error" => last_ident(&t.ty),
                        _ => None,
                    });
                    for item in &i.items {
                        if let syn::ImplItem::Fn(f) = item {
                            let first = self.fns.len();
                            self.function(
                                member,
                                path,
                                &f.sig,
                                &f.attrs,
                                &f.block,
                                owner.as_deref(),
                            );
                            if let (Some(error), Some(def)) = (&error, self.fns.get_mut(first))
                                && def.returns.contains("Self")
                                && def.returns.contains("Error")
                            {
                                def.returns.insert(error.clone());
                            }
                        }
                    }
                }
                syn::Item::Trait(t) => {
                    let owner = t.ident.to_string();
                    for item in &t.items {
                        if let syn::TraitItem::Fn(f) = item
                            && let Some(block) = &f.default
                        {
                            self.function(member, path, &f.sig, &f.attrs, block, Some(&owner));
                        }
                    }
                }
                syn::Item::Mod(m) if !is_cfg_test(&m.attrs) => {
                    if let Some((_, inner)) = &m.content {
                        self.items(member, path, inner, None);
                    }
                }
                syn::Item::Enum(e) if derives_error(&e.attrs) => {
                    self.enums.push(ErrorEnum {
                        member: member.to_owned(),
                        path: path.to_owned(),
                        name: e.ident.to_string(),
                        variants: e.variants.iter().map(variant).collect(),
                    });
                }
                syn::Item::Struct(s) => {
                    if let Some(template) = template(&s.attrs) {
                        self.messages.insert(s.ident.to_string(), vec![template]);
                    }
                }
                _ => {}
            }
        }
    }

    fn function(
        &mut self,
        member: &'w str,
        path: &'w str,
        sig: &'w syn::Signature,
        attrs: &'w [syn::Attribute],
        body: &'w syn::Block,
        owner: Option<&str>,
    ) {
        let mut params = Vec::new();
        let mut has_self = false;
        for input in &sig.inputs {
            match input {
                syn::FnArg::Receiver(_) => has_self = true,
                syn::FnArg::Typed(typed) => {
                    let name = match &*typed.pat {
                        syn::Pat::Ident(id) => id.ident.to_string(),
                        _ => "_".to_owned(),
                    };
                    let mut idents = Idents::default();
                    idents.visit_type(&typed.ty);
                    params.push((name, idents.0.iter().any(|i| is_closure_trait(i))));
                }
            }
        }
        let generic_closures = {
            let mut idents = Idents::default();
            idents.visit_generics(&sig.generics);
            idents.0.iter().any(|i| is_closure_trait(i))
        };
        if generic_closures {
            // `body: F` with `F: FnOnce(..)`: a parameter typed by a generic is a closure
            // when a bound names a closure trait.
            let generic_names: BTreeSet<String> =
                sig.generics.type_params().map(|p| p.ident.to_string()).collect();
            for (input, param) in sig.inputs.iter().filter_map(typed).zip(params.iter_mut()) {
                if last_ident(&input.ty).is_some_and(|t| generic_names.contains(&t)) {
                    param.1 = true;
                }
            }
        }
        let mut returns = Idents::default();
        if let syn::ReturnType::Type(_, ty) = &sig.output {
            returns.visit_type(ty);
        }
        let traced = attrs
            .iter()
            .find(|a| a.path().segments.last().is_some_and(|s| s.ident == "traced"))
            .map(|a| a.meta.require_list().map(|l| l.tokens.clone()).unwrap_or_default());
        self.fns.push(FnDef {
            member,
            path,
            name: sig.ident.to_string(),
            owner: owner.map(str::to_owned),
            params,
            has_self,
            returns: returns.0,
            traced,
            body,
            line: line_of(sig.ident.span()),
        });
        let mut nested = Nested::default();
        nested.visit_block(body);
        for f in nested.0 {
            self.function(member, path, &f.sig, &f.attrs, &f.block, None);
        }
    }

    /// The indexes of the functions of `member` a call may run: by name, and by owner for
    /// `Type::f(..)` (`Self` is `owner`), by arity for methods.
    pub(crate) fn resolve(&self, member: &str, call: &CallRef, owner: Option<&str>) -> Vec<usize> {
        self.fns
            .iter()
            .enumerate()
            .filter(|(_, f)| f.member == member && f.name == call.name)
            .filter(|(_, f)| match &call.form {
                CallForm::Method(arity) => f.has_self && f.params.len() == *arity,
                CallForm::Bare => f.owner.is_none(),
                CallForm::Path(qualifier) => {
                    let qualifier =
                        if qualifier == "Self" { owner.unwrap_or("") } else { qualifier };
                    f.owner.as_deref() == Some(qualifier)
                        || (f.owner.is_none() && qualifier.starts_with(char::is_lowercase))
                }
            })
            .map(|(i, _)| i)
            .collect()
    }
}

fn typed(input: &syn::FnArg) -> Option<&syn::PatType> {
    match input {
        syn::FnArg::Typed(t) => Some(t),
        syn::FnArg::Receiver(_) => None,
    }
}

fn is_closure_trait(ident: &str) -> bool {
    matches!(ident, "Fn" | "FnOnce" | "FnMut" | "AsyncFn" | "AsyncFnOnce" | "AsyncFnMut" | "Future")
}

/// The last identifier of a type path (`floe_iceberg::IcebergError` is `IcebergError`;
/// `Box<IcebergError>` is `Box`).
fn last_ident(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        syn::Type::Reference(r) => last_ident(&r.elem),
        syn::Type::Group(g) => last_ident(&g.elem),
        syn::Type::Paren(p) => last_ident(&p.elem),
        _ => None,
    }
}

fn derives_error(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().filter(|a| a.path().is_ident("derive")).any(|a| {
        let mut found = false;
        let _ = a.parse_nested_meta(|meta| {
            found |= meta.path.segments.last().is_some_and(|s| s.ident == "Error");
            Ok(())
        });
        found
    })
}

fn variant(v: &syn::Variant) -> Variant {
    let fields: Vec<&syn::Field> = v.fields.iter().collect();
    let from = fields
        .iter()
        .find(|f| f.attrs.iter().any(|a| a.path().is_ident("from")))
        .and_then(|f| last_ident(&f.ty));
    let transparent =
        v.attrs.iter().filter(|a| a.path().is_ident("error")).any(|a| {
            a.meta.require_list().is_ok_and(|l| l.tokens.to_string().trim() == "transparent")
        });
    let inner = match fields.as_slice() {
        [only] => last_ident(&only.ty),
        _ => None,
    };
    Variant {
        name: v.ident.to_string(),
        line: line_of(v.ident.span()),
        from,
        transparent,
        inner,
        template: template(&v.attrs),
    }
}

/// Every identifier of a type or generics.
#[derive(Default)]
struct Idents(BTreeSet<String>);

impl Visit<'_> for Idents {
    fn visit_ident(&mut self, ident: &syn::Ident) {
        self.0.insert(ident.to_string());
    }
}

/// Functions defined inside a body (not inside nested ones).
#[derive(Default)]
struct Nested<'w>(Vec<&'w syn::ItemFn>);

impl<'w> Visit<'w> for Nested<'w> {
    fn visit_item_fn(&mut self, f: &'w syn::ItemFn) {
        self.0.push(f);
    }
    fn visit_item_impl(&mut self, _: &'w syn::ItemImpl) {}
}
