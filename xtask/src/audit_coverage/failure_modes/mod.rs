//! The failure modes of each operation, read from the code that runs its span.
//!
//! **Span sites.** A span starts at a call of `in_span`/`in_span_async` (the operation is
//! the second argument), `DomainSpan::start`/`start_with` (second) or `start_in` (third),
//! or on a function with `#[traced(op = ..)]`. The operation is a path `XOp::Variant`
//! naming a registry span, or a parameter of the enclosing function. The code that runs
//! in the span is the call's arguments (the closure) for `in_span*`, and the whole
//! enclosing function for `DomainSpan::start*` and `#[traced]`.
//!
//! **Span helpers.** A function holding a site whose operation is one of its parameters,
//! or whose operation is fixed and which takes a closure (floe-core's `AlertTarget::send`,
//! `health::traced_health`, a plugin's own `fn traced(op, body)`), is a span helper: each
//! call of it (same name, same number of arguments, a method for a method) is a site too,
//! whose operation is the fixed one or the argument in the operation's place, and whose
//! code is the call's arguments plus the helper's own site.
//!
//! **Whose sites.** A plugin's operation gets the sites in the plugin's own code, and the
//! sites of the packages it depends on (floe-core, floe-dbt) that take their tracer from
//! the caller (not their own `TRACER_NAME`) and name that operation as a fixed path: so
//! `dbt.node`'s soft failures in floe-dbt are failure modes of every dbt plugin.
//!
//! **Failure modes of a site**, in the code that runs in the span and in the functions of
//! the same package it calls (resolved by name, see [`Code::resolve`]):
//! - each `fail_soft("<reason>", ..)` (`unhealthy`, `degraded`, `dbt_node_error`,
//!   `lint_violation`, `dbt_test_failure`);
//! - when an error can end the span (`in_span*` unless its error type is `Infallible`;
//!   `DomainSpan::start*` in a function calling `.fail(..)` or `.end_with(..)`;
//!   `#[traced]` on a function returning a `Result`): each variant of the error enums of
//!   that package named by the span's result type (the type a `let` gives the site's
//!   value, else the enclosing function's return type, `Self::Error` read as the impl's
//!   `type Error`; every enum of the package when it names none) that the code builds as
//!   an expression (`E::V`, `E::V { .. }`, `E::V(..)`, `.map_err(E::V)`, `Self::V` in
//!   `impl E`), and each `#[from] X` variant when `X` is named there or a called function
//!   (by name, in any member) returns it (the `?` conversion); a span that only ever
//!   fails softly (`AlertTarget::health_check`) has its reasons as modes, no variants;
//! - each failure value of an outcome attribute the registry gives the span
//!   ([`OUTCOMES`]).
//!
//! Limits: calls resolve by name, not type, so a common method name can pull in code that
//! never runs in the span (more modes, never fewer for the code that is read); a variant
//! built and then handled before the span ends still counts; code reached only through a
//! trait object, a function pointer stored in a field, or a macro the parser cannot read
//! is not followed. A mode that cannot happen is exempted in `exemptions.rs` with the
//! reason.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use syn::visit::Visit as _;

use super::code::{CallForm, Code, Mentions};

mod sites;

use crate::manifest::DepKind;
use crate::workspace::Workspace;
use sites::{HelperCalls, OpRef, Runs, Site, SiteFinder, traced_op};

/// Outcome attributes: attribute keys whose values say how an operation ended, with the
/// values that are successes; every other value of the registry enum is a failure mode
/// of each span that refers to the attribute.
pub(crate) const OUTCOMES: &[(&str, &[&str])] =
    &[("alert.delivery_status", &["delivered"]), ("identity.rejection_reason", &[])];

/// One distinct way an operation's span records a failure.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Mode {
    /// `fail_soft("<reason>", ..)`: `error.type` and `exception.type` are the reason.
    Soft {
        /// The reason.
        reason: String,
    },
    /// A variant of an error enum.
    Variant {
        /// The enum.
        error: String,
        /// The variant.
        variant: String,
    },
    /// A failure value of an outcome attribute.
    Outcome {
        /// The attribute key.
        key: String,
        /// The value.
        value: String,
    },
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Soft { reason } => write!(f, "fail_soft {reason:?}"),
            Self::Variant { error, variant } => write!(f, "{error}::{variant}"),
            Self::Outcome { key, value } => write!(f, "{key}={value}"),
        }
    }
}

impl Mode {
    /// The id an exemption names: the reason, `Enum::Variant` or `key=value`.
    pub(crate) fn id(&self) -> String {
        match self {
            Self::Soft { reason } => reason.clone(),
            _ => self.to_string(),
        }
    }
}

/// A failure mode and where the code defines it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Located {
    /// The mode.
    pub(crate) mode: Mode,
    /// The workspace-relative file of the `fail_soft` call or the variant.
    pub(crate) path: String,
    /// Its line.
    pub(crate) line: usize,
}

/// Every span site of the workspace and the failure modes they lead to.
pub(crate) struct Sites<'w> {
    code: Code<'w>,
    all: Vec<Site<'w>>,
    /// Member name → members it depends on, transitively (normal dependencies).
    deps: BTreeMap<String, BTreeSet<String>>,
    plugins: BTreeSet<String>,
}

impl<'w> Sites<'w> {
    /// Reads every member of `workspace`; `ops` maps `(XOp, Variant)` to span names.
    pub(crate) fn of(workspace: &'w Workspace, ops: &BTreeMap<(String, String), String>) -> Self {
        let code = Code::of(workspace);
        let mut sites = Vec::new();
        for (index, f) in code.fns.iter().enumerate() {
            let mut finder =
                SiteFinder { function: index, def: f, ops, found: Vec::new(), annotated: None };
            finder.visit_block(f.body);
            sites.extend(finder.found);
            if let Some(args) = &f.traced
                && let Some(op) = traced_op(args, ops)
            {
                sites.push(Site {
                    function: index,
                    op: OpRef::Fixed(op),
                    callers_tracer: false,
                    runs: Runs::Body,
                    line: f.line,
                    helper: None,
                    result: None,
                    carries_errors: f.returns.contains("Result"),
                });
            }
        }
        let mut this = Self {
            code,
            all: sites,
            deps: dependencies(workspace),
            plugins: workspace.plugins().map(|p| p.name.clone()).collect(),
        };
        this.add_helper_calls(ops);
        this
    }

    /// Adds a site per call of a span helper, until no new helper appears.
    fn add_helper_calls(&mut self, ops: &BTreeMap<(String, String), String>) {
        let mut seen: BTreeSet<(usize, usize)> =
            self.all.iter().map(|s| (s.function, s.line)).collect();
        for _ in 0..4 {
            let helpers: Vec<usize> = (0..self.all.len()).filter(|&s| self.is_helper(s)).collect();
            let mut added = Vec::new();
            for (index, f) in self.code.fns.iter().enumerate() {
                let mut calls = HelperCalls {
                    code: &self.code,
                    sites: &self.all,
                    helpers: &helpers,
                    caller: index,
                    ops,
                    found: Vec::new(),
                };
                calls.visit_block(f.body);
                for site in calls.found {
                    if seen.insert((site.function, site.line)) {
                        added.push(site);
                    }
                }
            }
            if added.is_empty() {
                return;
            }
            self.all.extend(added);
        }
    }

    fn is_helper(&self, site: usize) -> bool {
        let s = &self.all[site];
        let f = &self.code.fns[s.function];
        match s.op {
            OpRef::Param(_) => true,
            OpRef::Fixed(_) => f.params.iter().any(|(_, closure)| *closure),
            OpRef::Unknown => false,
        }
    }

    /// The failure modes of operation `op` of `plugin`, sorted.
    pub(crate) fn modes(&self, plugin: &str, op: &str) -> Vec<Located> {
        let deps = self.deps.get(plugin).cloned().unwrap_or_default();
        let mut out = BTreeSet::new();
        for (index, site) in self.all.iter().enumerate() {
            if site.op != OpRef::Fixed(op.to_owned()) {
                continue;
            }
            let member = self.code.fns[site.function].member;
            let shared =
                !self.plugins.contains(member) && deps.contains(member) && site.callers_tracer;
            if member == plugin || shared {
                self.site_modes(index, &mut out);
            }
        }
        out.into_iter().collect()
    }

    fn site_modes(&self, index: usize, out: &mut BTreeSet<Located>) {
        let site = &self.all[index];
        let f = &self.code.fns[site.function];
        let mut start = Mentions::default();
        match &site.runs {
            Runs::Args(args) => args.iter().for_each(|a| start.extend(Mentions::of_expr(a))),
            Runs::Body => start.extend(Mentions::of_block(f.body)),
        }
        let result = site.carries_errors.then(|| site.result.as_ref().unwrap_or(&f.returns));
        self.reachable_modes(site.function, result, start, out);
        if let Some(helper) = site.helper {
            self.site_modes(helper, out);
        }
    }

    /// The modes of `start` (code of function `function`) and of the functions of the same
    /// member it calls, transitively. Variants count only when an error can end the span
    /// (`result` is the span's result type then): those of the error enums it names, or of
    /// every enum of the member when it names none.
    fn reachable_modes(
        &self,
        function: usize,
        result: Option<&BTreeSet<String>>,
        start: Mentions,
        out: &mut BTreeSet<Located>,
    ) {
        let member = self.code.fns[function].member;
        let mut all = Mentions::default();
        let mut soft: Vec<(String, String, usize)> = Vec::new();
        let mut queue: Vec<(Mentions, usize)> = vec![(start, function)];
        let mut visited = BTreeSet::from([function]);
        while let Some((mentions, at)) = queue.pop() {
            let f = &self.code.fns[at];
            let (owner, path) = (f.owner.clone(), f.path.to_owned());
            for call in &mentions.calls {
                // A call of a parameter (`body(..)`) runs the caller's closure, no function.
                if call.form == CallForm::Bare && f.params.iter().any(|(p, _)| *p == call.name) {
                    continue;
                }
                for index in self.code.resolve(member, call, owner.as_deref()) {
                    if visited.insert(index) {
                        queue.push((Mentions::of_callee(self.code.fns[index].body), index));
                    }
                }
            }
            soft.extend(mentions.soft.iter().map(|(r, l)| (r.clone(), path.clone(), *l)));
            let paths = mentions.paths.iter().map(|p| match (p.as_slice(), &owner) {
                ([first, rest @ ..], Some(owner)) if first == "Self" => {
                    std::iter::once(owner.clone()).chain(rest.iter().cloned()).collect()
                }
                _ => p.clone(),
            });
            all.paths.extend(paths.collect::<Vec<_>>());
            all.calls.extend(mentions.calls);
            all.idents.extend(mentions.idents);
        }
        for (reason, path, line) in soft {
            out.insert(Located { mode: Mode::Soft { reason }, path, line });
        }
        let returned: BTreeSet<&String> = self
            .code
            .fns
            .iter()
            .filter(|f| all.calls.iter().any(|c| c.name == f.name))
            .flat_map(|f| &f.returns)
            .collect();
        let Some(result) = result else { return };
        let enums: Vec<_> = self.code.enums.iter().filter(|e| e.member == member).collect();
        let returned_enums: Vec<_> =
            enums.iter().copied().filter(|e| result.contains(&e.name)).collect();
        let enums = if returned_enums.is_empty() { enums } else { returned_enums };
        for e in enums {
            for v in &e.variants {
                let built =
                    all.paths.iter().any(|p| p.ends_with(&[e.name.clone(), v.name.clone()]));
                let converted =
                    v.from.as_ref().is_some_and(|x| all.idents.contains(x) || returned.contains(x));
                if built || converted {
                    let mode = Mode::Variant { error: e.name.clone(), variant: v.name.clone() };
                    out.insert(Located { mode, path: e.path.clone(), line: v.line });
                }
            }
        }
    }

    /// The format strings a variant's span description can come from (a transparent
    /// variant's are its inner type's).
    pub(crate) fn templates(&self, error: &str, variant: &str) -> Vec<String> {
        let Some(v) = self
            .code
            .enums
            .iter()
            .filter(|e| e.name == error)
            .flat_map(|e| &e.variants)
            .find(|v| v.name == variant)
        else {
            return Vec::new();
        };
        let mut templates: Vec<String> = v.template.iter().cloned().collect();
        if v.transparent
            && let Some(inner) = v.inner.as_ref().and_then(|i| self.code.messages.get(i))
        {
            templates.extend(inner.iter().cloned());
        }
        templates
    }

    /// The variants of enum `error` whose messages best explain `text` (see
    /// [`super::code::explained`]; a score of at least [`MIN_EXPLAINED`]; ties give
    /// several).
    pub(crate) fn explaining(&self, error: &str, text: &str) -> Vec<String> {
        let scores: Vec<(String, i64)> = self
            .code
            .enums
            .iter()
            .filter(|e| e.name == error)
            .flat_map(|e| &e.variants)
            .map(|v| {
                let score = self
                    .templates(error, &v.name)
                    .iter()
                    .map(|t| super::code::explained(text, t))
                    .max()
                    .unwrap_or(0);
                (v.name.clone(), score)
            })
            .collect();
        let best = scores.iter().map(|(_, s)| *s).max().unwrap_or(0);
        if best < MIN_EXPLAINED {
            return Vec::new();
        }
        scores.into_iter().filter(|(_, s)| *s == best).map(|(v, _)| v).collect()
    }
}

/// The fewest characters of an asserted error text a variant's message must explain.
pub(crate) const MIN_EXPLAINED: i64 = 8;

fn dependencies(workspace: &Workspace) -> BTreeMap<String, BTreeSet<String>> {
    let direct: BTreeMap<&str, Vec<&str>> = workspace
        .members
        .iter()
        .map(|m| {
            let deps = m
                .dependencies
                .iter()
                .filter(|d| d.kind == DepKind::Normal)
                .map(|d| d.name.as_str())
                .filter(|d| workspace.member(d).is_some())
                .collect();
            (m.name.as_str(), deps)
        })
        .collect();
    direct
        .keys()
        .map(|&name| {
            let mut seen = BTreeSet::new();
            let mut queue = vec![name];
            while let Some(next) = queue.pop() {
                for &dep in direct.get(next).map(Vec::as_slice).unwrap_or_default() {
                    if seen.insert(dep.to_owned()) {
                        queue.push(dep);
                    }
                }
            }
            (name.to_owned(), seen)
        })
        .collect()
}
