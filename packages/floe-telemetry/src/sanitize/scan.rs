//! One pass over the message that finds every place a credential can start, then hands
//! each place to the recogniser of its family.
//!
//! Cheap searches find the candidates, none of which backtracks:
//! - a packed (SIMD) multi-literal search over a lowercased copy of the message for the key
//!   words (`pass`, `secret`, `token`, `key`, `auth`, ...) and SQL's `identified`;
//! - single-needle searches (`memchr`/`memmem`) for `-` (short credential flags such as
//!   `-p`, and `--user`), `-----begin` (private keys), `hook` (webhook URLs), `@` (URL user
//!   info, e-mail addresses) and `$`/`{` (password hashes);
//! - a word-at-a-time loop for runs of token characters long enough to be a provider token.
//!
//! The candidates of the first searches are merged in text order. Every recogniser looks
//! at a bounded window around its candidate, or consumes what it reads, and the scan
//! resumes after what a recogniser consumed, so the time is linear in the input. A
//! recogniser reports byte ranges to replace with the marker ([`Spans`]).

use std::ops::Range;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};

use super::{keys, special, tokens, urls};

/// What a literal of the prefilter starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Trigger {
    /// A key word (`password`, `token`, ...): a key/value in one of many notations.
    KeyWord,
    /// ` -p`, `'-u`, ...: a short command-line flag that takes a credential.
    ShortFlag,
    /// `--user`: curl and wget take `user:password` there.
    UserFlag,
    /// SQL `IDENTIFIED [WITH plugin] BY 'password'`.
    Identified,
    /// `-----BEGIN ... PRIVATE KEY-----`.
    PemBegin,
    /// A webhook URL, whose path is the credential.
    Webhook,
}

/// The key words of the packed search, lowercase and at least three bytes long (the
/// packed searcher needs that to stay fast; `pw` is found with what follows it).
const KEY_WORDS: &[&str] = &[
    "pass",
    "pwd",
    "pw'",
    "pw\"",
    "pw=",
    "pw:",
    "secret",
    "token",
    "key",
    "auth",
    "cred",
    "sig",
    "session",
    "cookie",
    "bearer",
    "dsn",
    "jwt",
    "identified",
];

static PREFILTER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .build(KEY_WORDS)
        .expect("the key words are constants and build an automaton")
});

static PEM: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new(b"-----begin"));
static HOOK: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new(b"hook"));

/// Byte ranges of the message to replace with the marker, and how far the recognisers
/// that look ahead have already looked (so no byte is looked at twice by one of them).
#[derive(Debug, Default)]
pub(super) struct Spans {
    ranges: Vec<Range<usize>>,
    /// End of the last private-key block.
    pub(super) pem_end: usize,
    /// How far `value` fields of credential structs were searched.
    pub(super) fields_scanned: usize,
    /// Below this, no `://` precedes a webhook trigger.
    pub(super) hooks_floor: usize,
}

impl Spans {
    /// Marks `range` of `text` as a credential, unless it is empty or already the marker.
    pub(super) fn push(&mut self, text: &str, range: Range<usize>) {
        let Some(value) = text.get(range.clone()) else { return };
        if value.is_empty() || super::is_marker_or_cut(value) {
            return;
        }
        self.ranges.push(range);
    }

    /// The ranges sorted by start, overlapping and touching ones merged.
    pub(super) fn into_merged(mut self) -> Vec<Range<usize>> {
        self.ranges.sort_unstable_by_key(|r| (r.start, r.end));
        let mut out: Vec<Range<usize>> = Vec::with_capacity(self.ranges.len());
        for range in self.ranges {
            match out.last_mut() {
                Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
                _ => out.push(range),
            }
        }
        out
    }

    pub(super) fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }
}

/// Every credential range in `text`, unsorted.
pub(super) fn find(text: &str) -> Spans {
    let mut spans = Spans::default();
    let bytes = text.as_bytes();
    if bytes.len() >= 3 {
        // Short messages are lowercased on the stack.
        let mut small = [0u8; 512];
        let owned;
        let lower: &[u8] = if bytes.len() <= small.len() {
            small[..bytes.len()].copy_from_slice(bytes);
            small[..bytes.len()].make_ascii_lowercase();
            &small[..bytes.len()]
        } else {
            owned = bytes.to_ascii_lowercase();
            &owned
        };
        let key_words = PREFILTER.find_iter(lower).map(|m| {
            let identified = m.pattern().as_usize() == KEY_WORDS.len() - 1;
            (m.start(), if identified { Trigger::Identified } else { Trigger::KeyWord })
        });
        let flags = memchr::memchr_iter(b'-', bytes).filter_map(|at| flag_at(bytes, at));
        let pems = PEM.find_iter(lower).map(|at| (at, Trigger::PemBegin));
        let hooks = HOOK.find_iter(lower).map(|at| (at, Trigger::Webhook));
        let mut resume = 0;
        for (at, trigger) in Merged::new(key_words, flags, pems, hooks) {
            // A private-key block is found even inside a value already marked: it may run
            // past the end of that value (a quoted string cut at a line break).
            if at < resume && trigger != Trigger::PemBegin {
                continue;
            }
            let next = match trigger {
                Trigger::KeyWord => keys::at(text, lower, at, &mut spans),
                Trigger::ShortFlag => special::short_flag(text, at, &mut spans),
                Trigger::UserFlag => special::user_flag(text, at, &mut spans),
                Trigger::Identified => special::identified_by(text, lower, at, &mut spans),
                Trigger::PemBegin => special::private_key(text, lower, at, &mut spans),
                Trigger::Webhook => urls::webhook(text, lower, at, &mut spans),
            };
            resume = resume.max(next).max(at + 1);
        }
    }
    special::crypt_hashes(text, &mut spans);
    urls::at_signs(text, &mut spans);
    tokens::scan(text, &mut spans);
    spans
}

/// Four candidate streams, each in text order, merged in text order.
struct Merged<A: Iterator, B: Iterator, C: Iterator, D: Iterator> {
    a: std::iter::Peekable<A>,
    b: std::iter::Peekable<B>,
    c: std::iter::Peekable<C>,
    d: std::iter::Peekable<D>,
}

impl<A, B, C, D> Merged<A, B, C, D>
where
    A: Iterator<Item = (usize, Trigger)>,
    B: Iterator<Item = (usize, Trigger)>,
    C: Iterator<Item = (usize, Trigger)>,
    D: Iterator<Item = (usize, Trigger)>,
{
    fn new(a: A, b: B, c: C, d: D) -> Self {
        Self { a: a.peekable(), b: b.peekable(), c: c.peekable(), d: d.peekable() }
    }
}

impl<A, B, C, D> Iterator for Merged<A, B, C, D>
where
    A: Iterator<Item = (usize, Trigger)>,
    B: Iterator<Item = (usize, Trigger)>,
    C: Iterator<Item = (usize, Trigger)>,
    D: Iterator<Item = (usize, Trigger)>,
{
    type Item = (usize, Trigger);

    fn next(&mut self) -> Option<Self::Item> {
        let at = |p: Option<&(usize, Trigger)>| p.map_or(usize::MAX, |&(at, _)| at);
        let heads = [at(self.a.peek()), at(self.b.peek()), at(self.c.peek()), at(self.d.peek())];
        let min = *heads.iter().min()?;
        if min == usize::MAX {
            return None;
        }
        match heads.iter().position(|&h| h == min) {
            Some(0) => self.a.next(),
            Some(1) => self.b.next(),
            Some(2) => self.c.next(),
            _ => self.d.next(),
        }
    }
}

/// A short credential flag (` -p`, `'-u`, ...) or `--user` at the dash `at`: the position
/// its recogniser starts from (the blank or quote before a short flag).
fn flag_at(bytes: &[u8], at: usize) -> Option<(usize, Trigger)> {
    let before = at.checked_sub(1).map(|i| bytes[i])?;
    let letter = bytes.get(at + 1)?.to_ascii_lowercase();
    if letter == b'-' {
        let word = bytes.get(at..at + 6)?;
        return word.eq_ignore_ascii_case(b"--user").then_some((at, Trigger::UserFlag));
    }
    let short = match before {
        b' ' => matches!(letter, b'p' | b'w' | b'a' | b'u'),
        b'\'' | b'"' => matches!(letter, b'p' | b'u'),
        _ => false,
    };
    short.then_some((at - 1, Trigger::ShortFlag))
}

/// Characters of a key name: `db_password`, `x-api-key`, `spring.datasource.password`.
pub(super) fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

/// Blanks that separate words on one line.
pub(super) fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t')
}

/// The first index at or after `from` whose byte is not a blank.
pub(super) fn skip_blanks(bytes: &[u8], mut from: usize) -> usize {
    while from < bytes.len() && is_blank(bytes[from]) {
        from += 1;
    }
    from
}

/// The end of the line holding `from` (the index of `\r`, `\n` or the end).
pub(super) fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes[from.min(bytes.len())..]
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .map_or(bytes.len(), |at| from + at)
}

/// `at`, moved back to the start of the UTF-8 character holding it.
pub(super) fn floor_char(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Whether the word starting at `at` is `word` (ASCII, case-insensitive) followed by a
/// non-identifier byte.
pub(super) fn word_at(bytes: &[u8], at: usize, word: &str) -> bool {
    let end = at + word.len();
    end <= bytes.len()
        && bytes[at..end].eq_ignore_ascii_case(word.as_bytes())
        && bytes.get(end).is_none_or(|b| !b.is_ascii_alphanumeric() && *b != b'_')
}
