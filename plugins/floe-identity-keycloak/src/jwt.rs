//! JWT validation: a compact JWS checked against a JWKS with `ring` (RSA only; `none` and
//! HMAC algorithms are never accepted, so a public key can never be used as an HMAC
//! secret), then `exp`, `nbf`, `iss`, `aud` and `azp`.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use floe_core::plugin::categories::TokenClaims;
use ring::signature::{self, RsaParameters, RsaPublicKeyComponents};
use serde::Deserialize;

use crate::error::Rejection;

/// The most keys a realm's key set may hold (Keycloak publishes a handful: one per
/// algorithm and use, two during a rotation).
pub(crate) const MAX_KEYS: usize = 64;

/// The algorithms this plugin can verify.
pub(crate) const SUPPORTED: [&str; 6] = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];

fn parameters(alg: &str) -> Option<&'static RsaParameters> {
    Some(match alg {
        "RS256" => &signature::RSA_PKCS1_2048_8192_SHA256,
        "RS384" => &signature::RSA_PKCS1_2048_8192_SHA384,
        "RS512" => &signature::RSA_PKCS1_2048_8192_SHA512,
        "PS256" => &signature::RSA_PSS_2048_8192_SHA256,
        "PS384" => &signature::RSA_PSS_2048_8192_SHA384,
        "PS512" => &signature::RSA_PSS_2048_8192_SHA512,
        _ => return None,
    })
}

/// One key of a JWKS.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct Jwk {
    #[serde(default)]
    pub(crate) kid: Option<String>,
    pub(crate) kty: String,
    #[serde(default)]
    pub(crate) alg: Option<String>,
    #[serde(rename = "use", default)]
    pub(crate) usage: Option<String>,
    #[serde(default)]
    pub(crate) n: Option<String>,
    #[serde(default)]
    pub(crate) e: Option<String>,
}

/// A JSON Web Key Set.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct Jwks {
    pub(crate) keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
}

/// A token split and decoded, not yet trusted.
pub(crate) struct Parsed<'t> {
    alg: String,
    pub(crate) kid: Option<String>,
    signing_input: &'t str,
    signature: Vec<u8>,
    claims: serde_json::Map<String, serde_json::Value>,
}

/// What a valid token must satisfy.
pub(crate) struct Expected<'a> {
    pub(crate) issuer: &'a str,
    pub(crate) audience: &'a str,
    pub(crate) authorized_parties: &'a [String],
    pub(crate) leeway: u64,
    pub(crate) now: u64,
}

/// Splits and decodes a compact JWS; checks the algorithm is accepted.
pub(crate) fn parse<'t>(token: &'t str, algorithms: &[String]) -> Result<Parsed<'t>, Rejection> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Rejection::Malformed);
    };
    let decode = |part: &str| URL_SAFE_NO_PAD.decode(part).map_err(|_| Rejection::Malformed);
    let header: Header =
        serde_json::from_slice(&decode(header)?).map_err(|_| Rejection::Malformed)?;
    let claims = serde_json::from_slice(&decode(payload)?).map_err(|_| Rejection::Malformed)?;
    if parameters(&header.alg).is_none() || !algorithms.contains(&header.alg) {
        return Err(Rejection::UnsupportedAlgorithm);
    }
    Ok(Parsed {
        alg: header.alg,
        kid: header.kid,
        signing_input: &token[..header_len(token, payload)],
        signature: decode(signature)?,
        claims,
    })
}

/// The length of `header.payload` within `token`.
fn header_len(token: &str, payload: &str) -> usize {
    token.find('.').map_or(0, |dot| dot + 1 + payload.len())
}

/// The signing key for `parsed`: the RSA signature key with its `kid` (or the only one,
/// when the token names none), whose own `alg`, if any, matches.
pub(crate) fn select<'k>(jwks: &'k Jwks, parsed: &Parsed<'_>) -> Option<&'k Jwk> {
    let usable = |key: &&Jwk| {
        key.kty == "RSA"
            && key.usage.as_deref().is_none_or(|u| u == "sig")
            && key.alg.as_deref().is_none_or(|a| a == parsed.alg)
    };
    if let Some(kid) = &parsed.kid {
        return jwks.keys.iter().filter(usable).find(|k| k.kid.as_ref() == Some(kid));
    }
    let mut candidates = jwks.keys.iter().filter(usable);
    let only = candidates.next();
    if candidates.next().is_some() { None } else { only }
}

/// Verifies the signature with `key`.
pub(crate) fn verify(parsed: &Parsed<'_>, key: &Jwk) -> Result<(), Rejection> {
    let parameters = parameters(&parsed.alg).ok_or(Rejection::UnsupportedAlgorithm)?;
    let component = |c: &Option<String>| {
        c.as_deref().and_then(|v| URL_SAFE_NO_PAD.decode(v).ok()).ok_or(Rejection::UnknownKey)
    };
    let public = RsaPublicKeyComponents { n: component(&key.n)?, e: component(&key.e)? };
    public
        .verify(parameters, parsed.signing_input.as_bytes(), &parsed.signature)
        .map_err(|_| Rejection::BadSignature)
}

fn audiences(value: Option<&serde_json::Value>) -> Vec<String> {
    match value {
        Some(serde_json::Value::String(one)) => vec![one.clone()],
        Some(serde_json::Value::Array(many)) => {
            many.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()
        }
        _ => Vec::new(),
    }
}

/// Checks the time window, issuer, audience and authorized party of a verified token.
pub(crate) fn check_claims(
    parsed: Parsed<'_>,
    expected: &Expected<'_>,
) -> Result<TokenClaims, Rejection> {
    let mut claims = parsed.claims;
    let number = |key: &str, claims: &serde_json::Map<String, serde_json::Value>| {
        claims.get(key).and_then(serde_json::Value::as_u64)
    };
    let expires_at = number("exp", &claims).ok_or(Rejection::Expired)?;
    if expected.now > expires_at.saturating_add(expected.leeway) {
        return Err(Rejection::Expired);
    }
    if number("nbf", &claims).is_some_and(|nbf| nbf > expected.now.saturating_add(expected.leeway))
    {
        return Err(Rejection::NotYetValid);
    }
    if claims.get("iss").and_then(serde_json::Value::as_str) != Some(expected.issuer) {
        return Err(Rejection::WrongIssuer);
    }
    let audience = audiences(claims.get("aud"));
    if !audience.iter().any(|a| a == expected.audience) {
        return Err(Rejection::WrongAudience);
    }
    // Keycloak gives every client of a realm the same audience (`account`); `azp` names
    // the client the token was issued to.
    let party = claims.get("azp").and_then(serde_json::Value::as_str);
    if !party.is_some_and(|party| expected.authorized_parties.iter().any(|p| p == party)) {
        return Err(Rejection::WrongAuthorizedParty);
    }
    let Some(serde_json::Value::String(subject)) = claims.remove("sub") else {
        return Err(Rejection::Malformed);
    };
    for key in ["iss", "aud", "exp"] {
        claims.remove(key);
    }
    Ok(TokenClaims {
        subject,
        issuer: expected.issuer.to_owned(),
        audience,
        expires_at,
        extra: claims.into_iter().collect::<BTreeMap<_, _>>(),
    })
}
