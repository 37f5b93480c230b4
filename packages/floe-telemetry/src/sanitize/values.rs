//! What follows a key: the separator (`=`, `:`, `=>`, `:=`, blanks, an argv comma, an XML
//! tag), then the value (quoted, bare, wrapped in `Some(..)`, a tuple, a list, a map).
//!
//! Quoted values run to their closing quote (backslash escapes honoured) or the end of the
//! line; bare values run to a blank, a quote, `&` or a closing bracket, and across `,`/`;`
//! only when the value is a packed list (`user:pass,user2:pass2`, or a plural key). Maps are
//! not values: the scan resumes inside them, so each field is judged by its own key.

use super::classify::{self, Ctx, Verdict};
use super::keys::{Class, Key, Strength};
use super::scan::{Spans, is_blank, skip_blanks, word_at};
use super::special;

/// How a value is attached to its key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Sep {
    /// `=`, `=>`, `:=`, `->`.
    Equals,
    /// `:`.
    Colon,
    /// Blanks only: a config line (`password  hunter2`), a flag (`--password hunter2`),
    /// SQL (`PASSWORD 'x'`) or prose (`password authentication failed`).
    Space,
    /// `'--password', 'x'`: the next item of an argv list.
    Comma,
    /// `<password>x</password>`.
    Xml,
    /// `Password("x")`: a wrapper type named after the key word.
    Paren,
}

/// Handles everything after `key`; returns where the scan resumes.
pub(super) fn after_key(text: &str, key: &Key, spans: &mut Spans) -> usize {
    if key.path_segment {
        return special::path_echo(text, key, spans).unwrap_or(key.end);
    }
    let handled = match key.class {
        Class::Authorization => special::header(text, key, spans),
        Class::Cookie => special::cookie_header(text, key, spans),
        Class::Bearer => special::bearer(text, key, spans),
        _ => None,
    };
    if let Some(resume) = handled
        .or_else(|| special::name_value(text, key, spans))
        .or_else(|| special::field_line(text, key, spans))
    {
        return resume;
    }
    if !key.entry {
        return key.after;
    }
    let Some((sep, start)) = separator(text.as_bytes(), key) else { return key.after };
    // A key word that is itself the value of another key (`x=admin-password: failed`)
    // takes only an `=` value (`--from-literal=password=x`).
    if key.start > 0 && text.as_bytes()[key.start - 1] == b'=' && sep != Sep::Equals {
        return key.after;
    }
    value_at(text, key, sep, start, spans)
}

fn separator(bytes: &[u8], key: &Key) -> Option<(Sep, usize)> {
    let at = key.after;
    if key.xml {
        return Some((Sep::Xml, at));
    }
    if bytes.get(at) == Some(&b'(') && key.quote.is_none() {
        return Some((Sep::Paren, at));
    }
    let j = skip_blanks(bytes, at);
    let next = bytes.get(j + 1).copied();
    match bytes.get(j)? {
        // `password==x` is an assignment of `=x`; `token == null` a comparison.
        b'=' if next == Some(b'=') => match bytes.get(j + 2) {
            Some(b) if !b.is_ascii_whitespace() => Some((Sep::Equals, j + 1)),
            _ => None,
        },
        b'=' | b'-' if next == Some(b'>') => Some((Sep::Equals, skip_blanks(bytes, j + 2))),
        b'=' => Some((Sep::Equals, skip_blanks(bytes, j + 1))),
        b':' if next == Some(b':') => None,
        b':' if next == Some(b'=') => Some((Sep::Equals, skip_blanks(bytes, j + 2))),
        b':' => Some((Sep::Colon, skip_blanks(bytes, j + 1))),
        b',' if key.flag && key.quote.is_some() => Some((Sep::Comma, skip_blanks(bytes, j + 1))),
        _ if j > at => Some((Sep::Space, j)),
        _ => None,
    }
}

/// The value of `key` starting at `start`.
pub(super) fn value_at(text: &str, key: &Key, sep: Sep, start: usize, spans: &mut Spans) -> usize {
    let bytes = text.as_bytes();
    let Some(&first) = bytes.get(start) else { return start };
    if matches!(first, b'\n' | b'\r') {
        return start;
    }
    let ctx = Ctx { sep, class: key.class, strength: key.strength, flag: key.flag, quoted: false };
    match sep {
        Sep::Xml => {
            let end =
                bytes[start..].iter().position(|&b| b == b'<').map_or(bytes.len(), |i| start + i);
            return judge_and_mark(text, start, end, end, Ctx { sep: Sep::Equals, ..ctx }, spans);
        }
        Sep::Paren => return items(text, key, start, b')', ctx, spans, 0),
        Sep::Space => {
            if first == b'{' && key.strength == Strength::Strong {
                return special::value_fields(text, start, spans);
            }
            let glued_to_value = key.start > 0 && bytes[key.start - 1] == b':';
            if matches!(first, b'{' | b'[' | b'(' | b'<' | b'|' | b'>' | b'=' | b'-')
                || glued_to_value
            {
                return start;
            }
            if key.class == Class::Password && word_at(bytes, start, "for") {
                return special::set_password_for(text, start, spans);
            }
        }
        _ => {}
    }
    match first {
        b'{' => {
            if key.strength == Strength::Strong {
                return special::value_fields(text, start, spans);
            }
            start + 1
        }
        b'[' => items(text, key, start, b']', ctx, spans, 0),
        b'(' => {
            if classify::is_placeholder(scalar_text(text, start)) {
                return bare_end(bytes, start, key);
            }
            items(text, key, start, b')', ctx, spans, 0)
        }
        _ => scalar(text, key, start, ctx, spans, 0),
    }
}

/// A single value (quoted, wrapped or bare) at `start`.
fn scalar(text: &str, key: &Key, start: usize, ctx: Ctx, spans: &mut Spans, depth: u8) -> usize {
    let bytes = text.as_bytes();
    let mut start = start;
    // Python bytes literals: b'...'.
    if bytes[start] == b'b' && matches!(bytes.get(start + 1), Some(b'\'' | b'"')) {
        start += 1;
    }
    if let Some((open, close, after)) = quoted(bytes, start) {
        let ctx = Ctx { quoted: true, ..ctx };
        return judge_and_mark(text, open, close, after, ctx, spans);
    }
    if let Some(resume) = wrapper(text, key, start, ctx, spans, depth) {
        return resume;
    }
    let go_key = bytes[key.start].is_ascii_uppercase()
        && bytes.get(key.start + 1).is_some_and(u8::is_ascii_lowercase);
    if ctx.sep == Sep::Colon && go_key && is_go_field(&bytes[start..]) {
        return start;
    }
    if bytes[start] == b'<'
        && let Some(close) = bytes[start..].iter().take(80).position(|&b| b == b'>')
        && classify::is_placeholder(&text[start..=start + close])
    {
        return start + close + 1;
    }
    let end = bare_end(bytes, start, key);
    if key.users && !is_pair(first_word(&bytes[start..end])) {
        return end;
    }
    judge_and_mark(text, start, end, end, ctx, spans)
}

/// `Some(..)`, `Secret(..)`, `PASSWORD(..)`, `env("X")`: a call or wrapper around a value.
fn wrapper(
    text: &str,
    key: &Key,
    start: usize,
    ctx: Ctx,
    spans: &mut Spans,
    depth: u8,
) -> Option<usize> {
    let bytes = text.as_bytes();
    let ident = bytes[start..]
        .iter()
        .take(48)
        .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_' || b == b'.'))
        .map(|n| start + n)?;
    if ident == start || !bytes[start].is_ascii_alphabetic() {
        return None;
    }
    let after = ident;
    match bytes.get(after) {
        Some(b'(') => {
            let name = &text[start..ident];
            if classify::is_reference_call(name) {
                let close = bytes[after..].iter().position(|&b| b == b')' || b == b'\n');
                return Some(close.map_or(bytes.len(), |c| after + c + 1));
            }
            if depth > 3 {
                return Some(after + 1);
            }
            Some(items(text, key, after, b')', Ctx { sep: Sep::Paren, ..ctx }, spans, depth + 1))
        }
        // A struct literal: `Token { value: "x" }`.
        Some(b' ') if bytes.get(after + 1) == Some(&b'{') && bytes[start].is_ascii_uppercase() => {
            if key.strength == Strength::Strong {
                return Some(special::value_fields(text, after + 1, spans));
            }
            Some(after + 2)
        }
        _ => None,
    }
}

/// The items of a tuple, list or wrapper opened at `open` and closed by `close`: each
/// quoted or bare item is judged as a value of `key`; a map or a `name=value` item means
/// the brackets hold fields, and the scan resumes inside.
fn items(
    text: &str,
    key: &Key,
    open: usize,
    close: u8,
    ctx: Ctx,
    spans: &mut Spans,
    depth: u8,
) -> usize {
    let bytes = text.as_bytes();
    let mut at = open + 1;
    loop {
        while at < bytes.len() && (is_blank(bytes[at]) || matches!(bytes[at], b'\n' | b'\r')) {
            at += 1;
        }
        let Some(&b) = bytes.get(at) else { return at };
        if b == close {
            return at + 1;
        }
        if b == b'{' || classify::starts_with_field(&bytes[at..]) {
            return at;
        }
        if matches!(b, b'[' | b'(') {
            return at;
        }
        let item_key = Key { plural: true, ..*key };
        let next = scalar(text, &item_key, at, ctx, spans, depth);
        at = skip_blanks(bytes, next.max(at + 1));
        match bytes.get(at) {
            Some(b',') => at += 1,
            Some(&b) if b == close => return at + 1,
            _ => return at,
        }
    }
}

/// `(open, close, after)` of a quoted value starting at `start`: the content runs to the
/// matching unescaped quote, or to the end of the line when there is none.
pub(super) fn quoted(bytes: &[u8], start: usize) -> Option<(usize, usize, usize)> {
    let quote = *bytes.get(start)?;
    if !matches!(quote, b'"' | b'\'' | b'`') {
        return None;
    }
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote => return Some((start + 1, i, i + 1)),
            b'\n' | b'\r' => return Some((start + 1, i, i)),
            _ => i += 1,
        }
    }
    Some((start + 1, bytes.len(), bytes.len()))
}

fn scalar_text(text: &str, start: usize) -> &str {
    let bytes = text.as_bytes();
    let end = bytes[start..]
        .iter()
        .position(|&b| b == b')' || b == b'\n')
        .map_or(bytes.len(), |i| start + i + 1);
    &text[start..end.min(text.len())]
}

/// The end of a bare value starting at `start`.
fn bare_end(bytes: &[u8], start: usize, key: &Key) -> usize {
    let list_key = key.plural || key.users;
    let mut packed = list_key;
    let mut end = start;
    let mut item = start;
    while end < bytes.len() {
        match bytes[end] {
            b' ' if list_key
                && is_pair(&bytes[item..end])
                && is_pair(first_word(&bytes[end + 1..])) =>
            {
                end += 1;
                item = end;
            }
            // `&` ends a value only before the next query parameter (`&page=2`); a password
            // may hold one (`Tr0ub4dor&3`).
            b'&' if starts_parameter(&bytes[end + 1..]) => break,
            b' ' | b'\t' | b'\n' | b'\r' | b'"' | b'\'' | b'`' | b')' | b']' | b'}' => break,
            b'<' if bytes.get(end + 1) == Some(&b'/') => break,
            b',' | b';' => {
                if item == start {
                    let first = &bytes[start..end];
                    let inner = &first
                        [..first.len() - first.iter().rev().take_while(|c| **c == b'=').count()];
                    packed |= inner.iter().any(|&c| c == b':' || c == b'=');
                }
                if !packed || bytes.get(end + 1).is_none_or(u8::is_ascii_whitespace) {
                    break;
                }
                end += 1;
                item = end;
            }
            _ => end += 1,
        }
    }
    while end > start
        && matches!(bytes[end - 1], b'.' | b',' | b';' | b':')
        && bytes.get(end).is_none_or(|b| {
            b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b')' | b']' | b'}')
        })
    {
        end -= 1;
    }
    end
}

/// Whether `rest` starts with `name=` (a query or connection-string parameter).
fn starts_parameter(rest: &[u8]) -> bool {
    let n = rest
        .iter()
        .take(64)
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'[' | b']'))
        .count();
    n > 0 && rest.get(n) == Some(&b'=')
}

fn first_word(rest: &[u8]) -> &[u8] {
    rest.iter().position(u8::is_ascii_whitespace).map_or(rest, |n| &rest[..n])
}

/// `Database:analytics`: a Go `%+v` field, so the key before it printed an empty value.
fn is_go_field(rest: &[u8]) -> bool {
    let n = rest.iter().take_while(|b| b.is_ascii_alphanumeric()).count();
    n > 1
        && rest[0].is_ascii_uppercase()
        && rest.get(n) == Some(&b':')
        && rest.get(n + 1).is_some_and(|b| !b.is_ascii_whitespace())
}

/// Whether `word` is `name:secret`.
pub(super) fn is_pair(word: &[u8]) -> bool {
    let Some(colon) = word.iter().position(|&b| b == b':') else { return false };
    colon > 0
        && colon + 1 < word.len()
        && word[..colon].iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
}

/// Judges the value `text[start..end]` and marks it; returns where the scan resumes.
fn judge_and_mark(
    text: &str,
    start: usize,
    end: usize,
    after: usize,
    ctx: Ctx,
    spans: &mut Spans,
) -> usize {
    let value = &text[start..end];
    let next_word = &text.as_bytes()[after.min(text.len())..];
    match classify::judge(value, ctx, next_word) {
        Verdict::Secret => {
            spans.push(text, start..end);
            after
        }
        // A kept value is read again by the scan (it may hold `name="x"` pairs); a long
        // one only once, which keeps the scan linear.
        Verdict::Keep if end - start > 64 => after,
        Verdict::Keep | Verdict::Structured => start,
    }
}
