//! Provider tokens recognisable by their shape alone, wherever they appear.
//!
//! The facts (prefixes, lengths, alphabets) are those of the public gitleaks and trufflehog
//! rule lists. A byte loop finds runs of token characters (`[A-Za-z0-9_.~+/-]`) at least
//! 16 long; only a run's first byte is looked up, in a table of the prefixes starting with
//! it, so prose and paths cost one lookup per long run. A token's body must have the length
//! and alphabet of its provider and mix character classes, so words that happen to start
//! like a prefix (`sk-learn-pipeline`) stay. A cloud key id (`AKIA...`) also redacts the
//! secret key printed next to it (the next random 30 to 48 character run).

use std::sync::LazyLock;

use super::scan::Spans;

/// The alphabet of a token's body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Body {
    /// `[A-Za-z0-9]`
    Alnum,
    /// `[A-Za-z0-9_]`
    Word,
    /// `[A-Za-z0-9_-]`
    Url,
    /// `[A-Za-z0-9_.-]`
    UrlDot,
    /// `[0-9a-f]`
    Hex,
    /// `[0-9a-fA-F]`
    AnyHex,
    /// `[A-Z0-9]`
    Upper,
    /// `[A-Za-z]`
    Alpha,
    /// `[A-Za-z0-9+/=]`
    Base64,
    /// `[A-Za-z0-9_=-]`
    UrlEq,
}

impl Body {
    fn allows(self, b: u8) -> bool {
        match self {
            Body::Alnum => b.is_ascii_alphanumeric(),
            Body::Word => b.is_ascii_alphanumeric() || b == b'_',
            Body::Url => b.is_ascii_alphanumeric() || b == b'_' || b == b'-',
            Body::UrlDot => b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'),
            Body::Hex => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
            Body::AnyHex => b.is_ascii_hexdigit(),
            Body::Upper => b.is_ascii_uppercase() || b.is_ascii_digit(),
            Body::Alpha => b.is_ascii_alphabetic(),
            Body::Base64 => b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='),
            Body::UrlEq => b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'='),
        }
    }
}

/// A token family: prefix, body alphabet, body length bounds, and whether it is a cloud
/// key id whose secret key may follow.
struct Spec {
    prefix: &'static str,
    body: Body,
    min: usize,
    max: usize,
    key_id: bool,
}

const fn spec(prefix: &'static str, body: Body, min: usize, max: usize) -> Spec {
    Spec { prefix, body, min, max, key_id: false }
}

const fn key_id(prefix: &'static str, body: Body, min: usize, max: usize) -> Spec {
    Spec { prefix, body, min, max, key_id: true }
}

const SPECS: &[Spec] = &[
    // AWS access key ids (and Alibaba, Tencent, GCS HMAC ids).
    key_id("AKIA", Body::Upper, 16, 16),
    key_id("ASIA", Body::Upper, 16, 16),
    key_id("ABIA", Body::Upper, 16, 16),
    key_id("ACCA", Body::Upper, 16, 16),
    key_id("A3T", Body::Upper, 17, 17),
    key_id("LTAI", Body::Alnum, 12, 30),
    key_id("AKID", Body::Alnum, 32, 40),
    key_id("GOOG1", Body::Upper, 40, 70),
    // GitHub.
    spec("ghp_", Body::Alnum, 30, 255),
    spec("gho_", Body::Alnum, 30, 255),
    spec("ghu_", Body::Alnum, 30, 255),
    spec("ghs_", Body::Alnum, 30, 255),
    spec("ghr_", Body::Alnum, 30, 255),
    spec("github_pat_", Body::Word, 22, 255),
    // GitLab.
    spec("glpat-", Body::UrlDot, 20, 300),
    spec("gldt-", Body::Url, 20, 255),
    spec("glrt-", Body::UrlDot, 20, 300),
    spec("glptt-", Body::Hex, 40, 40),
    spec("glcbt-", Body::Url, 20, 255),
    spec("glft-", Body::Url, 20, 255),
    spec("glimt-", Body::Url, 25, 255),
    spec("glsoat-", Body::Url, 20, 255),
    spec("gloas-", Body::Url, 64, 255),
    spec("glagent-", Body::Url, 50, 255),
    spec("glffct-", Body::Url, 20, 255),
    spec("GR1348941", Body::Url, 20, 255),
    // Grafana.
    spec("glc_", Body::Base64, 32, 400),
    spec("glsa_", Body::Word, 32, 64),
    // Slack.
    spec("xoxb-", Body::Url, 10, 255),
    spec("xoxp-", Body::Url, 10, 255),
    spec("xoxa-", Body::Url, 10, 255),
    spec("xoxr-", Body::Url, 10, 255),
    spec("xoxs-", Body::Url, 10, 255),
    spec("xoxo-", Body::Url, 10, 255),
    spec("xoxe-", Body::Url, 10, 255),
    spec("xoxe.xox", Body::Url, 10, 255),
    spec("xapp-", Body::Url, 10, 255),
    // Stripe.
    spec("sk_live_", Body::Alnum, 10, 255),
    spec("sk_test_", Body::Alnum, 10, 255),
    spec("sk_prod_", Body::Alnum, 10, 255),
    spec("rk_live_", Body::Alnum, 10, 255),
    spec("rk_test_", Body::Alnum, 10, 255),
    spec("rk_prod_", Body::Alnum, 10, 255),
    spec("whsec_", Body::Alnum, 20, 255),
    // OpenAI, Anthropic, OpenRouter and other `sk-` keys; Groq, Pinecone.
    spec("sk-", Body::Url, 20, 255),
    spec("gsk_", Body::Alnum, 20, 255),
    spec("pcsk_", Body::Word, 20, 255),
    // Google.
    spec("AIza", Body::Url, 30, 40),
    spec("ya29.", Body::UrlDot, 20, 2048),
    spec("GOCSPX-", Body::Url, 20, 64),
    spec("1//0", Body::Url, 30, 512),
    // Package registries and model hubs.
    spec("npm_", Body::Alnum, 30, 40),
    spec("pypi-", Body::Url, 50, 1024),
    spec("hf_", Body::Alpha, 30, 40),
    spec("api_org_", Body::Alpha, 30, 40),
    spec("rubygems_", Body::Hex, 48, 48),
    spec("CLOJARS_", Body::Alnum, 60, 60),
    spec("dckr_pat_", Body::Url, 27, 64),
    spec("pnu_", Body::Alnum, 36, 36),
    spec("r8_", Body::Alnum, 30, 60),
    spec("pplx-", Body::Alnum, 40, 64),
    spec("xai-", Body::Alnum, 40, 100),
    spec("lsv2_", Body::Word, 32, 80),
    // Secret stores.
    spec("hvs.", Body::Url, 20, 300),
    spec("hvb.", Body::Url, 20, 300),
    spec("hvr.", Body::Url, 20, 300),
    spec("dp.pt.", Body::UrlDot, 40, 128),
    spec("dp.st.", Body::UrlDot, 40, 128),
    spec("dp.ct.", Body::UrlDot, 40, 128),
    spec("dp.sa.", Body::UrlDot, 40, 128),
    spec("dp.scim.", Body::UrlDot, 40, 128),
    spec("dp.audit.", Body::UrlDot, 40, 128),
    spec("ops_eyJ", Body::Base64, 100, 4096),
    spec("AGE-SECRET-KEY-1", Body::Upper, 58, 58),
    // CI, cloud and SaaS.
    spec("dapi", Body::Hex, 32, 34),
    spec("dbtc_", Body::Url, 20, 128),
    spec("dbtu_", Body::Url, 20, 128),
    spec("dop_v1_", Body::Hex, 64, 64),
    spec("doo_v1_", Body::Hex, 64, 64),
    spec("dor_v1_", Body::Hex, 64, 64),
    spec("shpat_", Body::AnyHex, 32, 32),
    spec("shpca_", Body::AnyHex, 32, 32),
    spec("shppa_", Body::AnyHex, 32, 32),
    spec("shpss_", Body::AnyHex, 32, 32),
    spec("SK", Body::AnyHex, 32, 32),
    spec("SG.", Body::UrlDot, 40, 80),
    spec("ATATT", Body::UrlEq, 100, 512),
    spec("ATBB", Body::Alnum, 28, 64),
    spec("lin_api_", Body::Alnum, 40, 40),
    spec("PMAK-", Body::UrlDot, 50, 70),
    spec("HRKU-", Body::Url, 58, 70),
    spec("NRAK-", Body::Upper, 27, 27),
    spec("NRII-", Body::Url, 32, 32),
    spec("sntrys_", Body::Base64, 40, 512),
    spec("sntryu_", Body::Hex, 64, 64),
    spec("pul-", Body::Hex, 40, 40),
    spec("sq0atp-", Body::Url, 22, 60),
    spec("sq0csp-", Body::Url, 40, 60),
    spec("EAAA", Body::Url, 60, 120),
    spec("nfp_", Body::Alnum, 40, 40),
    spec("fo1_", Body::Url, 43, 43),
    spec("fm1r_", Body::Base64, 100, 1024),
    spec("fm1a_", Body::Base64, 100, 1024),
    spec("fm2_", Body::Base64, 100, 1024),
    spec("sbp_", Body::Hex, 40, 40),
    spec("ntn_", Body::Alnum, 40, 60),
    spec("pscale_tkn_", Body::UrlDot, 32, 64),
    spec("pscale_oauth_", Body::UrlDot, 32, 64),
    spec("pscale_pw_", Body::UrlDot, 32, 64),
    spec("dt0c01.", Body::UrlDot, 80, 100),
    spec("AKCp", Body::Alnum, 69, 69),
    spec("key-", Body::Hex, 32, 32),
    spec("EZAK", Body::Alnum, 54, 54),
];

/// Indices into [`SPECS`] by the first byte of their prefix.
static BY_FIRST_BYTE: LazyLock<Vec<Vec<usize>>> = LazyLock::new(|| {
    let mut table = vec![Vec::new(); 128];
    for (index, spec) in SPECS.iter().enumerate() {
        table[usize::from(spec.prefix.as_bytes()[0])].push(index);
    }
    table
});

const MIN_RUN: usize = 16;

/// Which bytes a token run is made of: `[A-Za-z0-9_.~+/-]`.
const RUN_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut c: u8 = 0;
    loop {
        table[c as usize] =
            c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'~' | b'+' | b'/' | b'-');
        if c == u8::MAX {
            break table;
        }
        c += 1;
    }
};

/// A word-at-a-time test that rejects most blocks holding a non-token byte: every token
/// byte is ASCII and at least `+` (0x2B), so a block with a blank, a quote, a bracket or a
/// non-ASCII byte cannot be a whole block of a run.
fn maybe_run(eight: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut word = [0u8; 8];
    word.copy_from_slice(eight);
    let x = u64::from_le_bytes(word);
    let below = x.wrapping_sub(ONES * u64::from(b'+')) & !x & HIGH;
    (below | (x & HIGH)) == 0
}

fn is_run_byte(b: u8) -> bool {
    RUN_BYTES[usize::from(b)]
}

/// Marks every provider token of `text`.
///
/// A run of at least 15 token characters holds a whole aligned 8-byte block of them, so
/// only such blocks are looked at closely; the test of a block is branch-free.
pub(super) fn scan(text: &str, spans: &mut Spans) {
    let bytes = text.as_bytes();
    let mut block = 0;
    let mut done = 0;
    while block + 8 <= bytes.len() {
        let eight = &bytes[block..block + 8];
        let full = maybe_run(eight) && eight.iter().fold(true, |all, &b| all & is_run_byte(b));
        if !full || block < done {
            block += 8;
            continue;
        }
        let mut start = block;
        while start > done && is_run_byte(bytes[start - 1]) {
            start -= 1;
        }
        let mut end = block + 8;
        while end < bytes.len() && is_run_byte(bytes[end]) {
            end += 1;
        }
        done = if end - start >= MIN_RUN { run(text, start, end, spans).max(end) } else { end };
        block = done.next_multiple_of(8);
    }
    // The tail shorter than a block can still end a run that started in a full block;
    // such runs were handled above, and a tail alone is too short to be a token.
}

/// Checks one run of token characters; returns where scanning resumes.
fn run(text: &str, start: usize, end: usize, spans: &mut Spans) -> usize {
    let bytes = text.as_bytes();
    let start = start
        + bytes[start..end]
            .iter()
            .take_while(|b| matches!(b, b'/' | b'.' | b'~' | b'+' | b'-'))
            .count();
    if end - start < MIN_RUN {
        return end;
    }
    if let Some((token_end, key_id)) = prefixed(bytes, start) {
        spans.push(text, start..token_end);
        if key_id {
            return paired_secret(text, token_end, spans).max(token_end);
        }
        return token_end.max(end);
    }
    if let Some((token_start, token_end)) = shaped(bytes, start, end) {
        spans.push(text, token_start..token_end);
        return token_end.max(end);
    }
    end
}

/// The end of a prefixed token starting at `start`, and whether it is a cloud key id.
fn prefixed(bytes: &[u8], start: usize) -> Option<(usize, bool)> {
    let candidates = BY_FIRST_BYTE.get(usize::from(bytes[start]))?;
    for &index in candidates {
        let spec = &SPECS[index];
        if !bytes[start..].starts_with(spec.prefix.as_bytes()) {
            continue;
        }
        let body = start + spec.prefix.len();
        let mut end = body;
        while end < bytes.len() && end - body < spec.max && spec.body.allows(bytes[end]) {
            end += 1;
        }
        // A sentence's full stop is not part of a token.
        while end > body && bytes[end - 1] == b'.' {
            end -= 1;
        }
        let len = end - body;
        // A fixed-length token ends at a word boundary; a longer one is cut at its maximum.
        let bounded = bytes.get(end).is_none_or(|b| !spec.body.allows(*b) || spec.min != spec.max);
        if len >= spec.min && bounded && mixes_classes(&bytes[body..end], spec.body) {
            return Some((end, spec.key_id));
        }
    }
    None
}

/// Tokens with a structure but no fixed prefix at the run start: JWTs, Infisical service
/// tokens, Terraform Cloud tokens, Telegram bot tokens, Azure AD client secrets and Azure
/// storage account keys.
fn shaped(bytes: &[u8], start: usize, end: usize) -> Option<(usize, usize)> {
    let run = &bytes[start..end];
    let dots: Vec<usize> =
        run.iter().enumerate().filter(|(_, b)| **b == b'.').map(|(i, _)| i).collect();
    // JWT: three base64url parts, the header a JSON object (`eyJ`).
    if run.starts_with(b"eyJ") && !dots.is_empty() {
        let url =
            |s: &[u8]| s.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-');
        let first = dots[0];
        let second_end = dots.get(1).copied().unwrap_or(run.len());
        if first >= 10
            && second_end - first > 10
            && url(&run[..first])
            && url(&run[first + 1..second_end])
        {
            let jwt_end = dots.get(1).map_or(second_end, |&d| {
                d + 1
                    + run[d + 1..]
                        .iter()
                        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_' || **b == b'-')
                        .count()
            });
            return Some((start, start + jwt_end));
        }
    }
    // Infisical service token: st.<id>.<hex>.<hex>.
    if run.starts_with(b"st.") && dots.len() >= 3 {
        let parts: Vec<&[u8]> = run[3..].split(|b| *b == b'.').take(3).collect();
        if parts.len() == 3
            && parts[0].len() >= 8
            && parts.iter().all(|p| p.iter().all(|b| b.is_ascii_hexdigit() || *b == b'-'))
            && parts[1].len() >= 16
            && parts[2].len() >= 16
        {
            let len = 3 + parts.iter().map(|p| p.len()).sum::<usize>() + 2;
            return Some((start, start + len));
        }
    }
    // Terraform Cloud: <14 alnum>.atlasv1.<60+>.
    if run.len() > 24
        && &run[14..23] == b".atlasv1."
        && run[..14].iter().all(u8::is_ascii_alphanumeric)
    {
        let tail = run[23..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'='))
            .count();
        if tail >= 60 {
            return Some((start, start + 23 + tail));
        }
    }
    // Telegram bot token: <digits>:AA<33+>.
    if run.starts_with(b"AA") && start > 6 && bytes[start - 1] == b':' {
        let digits = bytes[..start - 1].iter().rev().take_while(|b| b.is_ascii_digit()).count();
        let len = run
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_' || **b == b'-')
            .count();
        if (6..=12).contains(&digits) && len >= 33 {
            return Some((start - 1 - digits, start + len));
        }
    }
    // HashiCorp Vault's legacy service token: `s.` and 24 characters.
    if run.starts_with(b"s.") && run.len() >= 26 {
        let body = &run[2..26];
        if body.iter().all(u8::is_ascii_alphanumeric)
            && run.get(26).is_none_or(|b| !b.is_ascii_alphanumeric())
            && body.iter().any(u8::is_ascii_digit)
            && mixes_classes(body, Body::Alpha)
        {
            return Some((start, start + 26));
        }
    }
    // Azure AD client secret: 3 chars, a digit, `Q~`, 31-34 more.
    if (37..=40).contains(&run.len()) && run[3].is_ascii_digit() && &run[4..6] == b"Q~" {
        return Some((start, end));
    }
    // Azure storage account key: 86 base64 characters and `==`.
    if run.len() == 86
        && bytes.get(end..end + 2) == Some(b"==")
        && run.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/'))
        && mixes_classes(run, Body::Base64)
    {
        return Some((start, end + 2));
    }
    None
}

/// Whether a body mixes the character classes a random token of its alphabet has.
fn mixes_classes(body: &[u8], alphabet: Body) -> bool {
    let lower = body.iter().any(u8::is_ascii_lowercase);
    let upper = body.iter().any(u8::is_ascii_uppercase);
    let digit = body.iter().any(u8::is_ascii_digit);
    match alphabet {
        Body::Alpha => lower && upper,
        Body::Hex | Body::AnyHex => digit && (lower || upper),
        // AWS-style ids are base32: a real one can hold no digit; the prefix suffices.
        Body::Upper => upper,
        _ => usize::from(lower) + usize::from(upper) + usize::from(digit) >= 2,
    }
}

/// The secret key printed after a cloud key id (`AKIA..,wJalr..`, `mc alias set x url AKIA..
/// wJalr..`): the next base64 run of 30 to 48 characters within a short distance.
fn paired_secret(text: &str, from: usize, spans: &mut Spans) -> usize {
    let bytes = text.as_bytes();
    let limit = bytes.len().min(from + 120);
    let mut i = from;
    let mut runs = 0;
    while i < limit && runs < 3 {
        if bytes[i] == b'\n' && i > from + 1 && bytes[i - 1] == b'\n' {
            break;
        }
        if !(bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'+' | b'/')) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len()
            && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'+' | b'/' | b'='))
        {
            i += 1;
        }
        runs += 1;
        let candidate = &bytes[start..i];
        if (30..=48).contains(&candidate.len())
            && candidate.iter().filter(|b| **b != b'=').count() >= 30
            && mixes_classes(candidate, Body::Base64)
            && candidate.iter().any(u8::is_ascii_lowercase)
        {
            spans.push(text, start..i);
            return i;
        }
    }
    from
}
