//! A loopback OpenID Connect server speaking Keycloak's realm endpoints, checked against
//! RFC 6749 and OpenID Connect Core 1.0: discovery
//! (`/realms/<realm>/.well-known/openid-configuration`), the token endpoint (client
//! authentication by `client_secret_basic`, form-decoded as section 2.3.1 prescribes, or
//! `client_secret_post`, never both; client credentials and password grants; OAuth2 error
//! bodies), userinfo (only for a token with the `openid` scope, Core section 5.3), and the
//! JWKS of an RSA key generated when the tests start (`openssl genpkey`, 2048 bits,
//! PKCS#1 DER), which signs RS256 tokens of Keycloak's shape (`aud: account`,
//! `azp: <client>`) with `ring`.
//!
//! The real peer of this plugin is oidc-provider (`provider.rs`); this server is kept for
//! what that provider cannot produce: the password grant (it has none), tokens signed by a
//! stranger's key or with any claims a test chooses, scripted 503s, refusals quoting the
//! credentials received or another client's refresh token, and discovery documents announcing another issuer, other
//! origins or a token type that is not Bearer.
//! Shared by the plugin's tests, its contract row and its hostile rows, so it imports
//! nothing from the plugin.
#![expect(clippy::unwrap_used, reason = "test peer: a poisoned lock must fail the test")]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use floe_otel_testkit::http::{LoopbackServer, RecordedRequest};
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use serde_json::{Value, json};

/// The realm the tests use.
pub(crate) const REALM: &str = "floe";
/// A second realm, for per-realm variants.
pub(crate) const OTHER_REALM: &str = "ops";
/// The OAuth2 client.
pub(crate) const CLIENT_ID: &str = "floe-platform";
/// The user of password grants.
pub(crate) const USERNAME: &str = "analyst";
/// The `kid` of the realm's key.
pub(crate) const KID: &str = "floe-test-key-1";
/// The audience Keycloak gives its access tokens.
pub(crate) const AUDIENCE: &str = "account";
/// The user's password in [`router_for`].
#[allow(dead_code, reason = "for the hostile rows of contract-tests, which share this file")]
pub(crate) const PASSWORD: &str = "the-user-password";

/// Which key signs a minted token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Signer {
    /// The realm's key, published in its JWKS.
    Realm,
    /// A key the realm never published.
    Stranger,
}

fn generate_key() -> RsaKeyPair {
    let output = std::process::Command::new("openssl")
        .args(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-outform", "DER"])
        .output()
        .expect("openssl (Debian package openssl, installed by scripts/setup) generates the test RSA key");
    assert!(
        output.status.success(),
        "openssl genpkey failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    RsaKeyPair::from_der(&output.stdout).expect("openssl writes a PKCS#1 RSAPrivateKey in DER")
}

/// The two keys, generated once per test process.
fn keys() -> &'static (RsaKeyPair, RsaKeyPair) {
    static KEYS: OnceLock<(RsaKeyPair, RsaKeyPair)> = OnceLock::new();
    KEYS.get_or_init(|| (generate_key(), generate_key()))
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A compact RS256 JWS of `claims`, signed by `signer`, naming `kid`.
pub(crate) fn sign(claims: &Value, signer: Signer, kid: Option<&str>) -> String {
    let key = match signer {
        Signer::Realm => &keys().0,
        Signer::Stranger => &keys().1,
    };
    let mut header = json!({ "alg": "RS256", "typ": "JWT" });
    if let Some(kid) = kid {
        header["kid"] = json!(kid);
    }
    let input =
        format!("{}.{}", b64(header.to_string().as_bytes()), b64(claims.to_string().as_bytes()));
    let mut signature = vec![0; key.public().modulus_len()];
    key.sign(&RSA_PKCS1_SHA256, &ring::rand::SystemRandom::new(), input.as_bytes(), &mut signature)
        .expect("signing with the test key");
    format!("{input}.{}", b64(&signature))
}

/// Seconds since the epoch.
pub(crate) fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

struct Realm {
    client_secret: String,
    password: String,
    subject: String,
    issued: BTreeSet<String>,
    unavailable: u32,
    echo: bool,
    /// Grants of an authenticated client are refused quoting this refresh token of
    /// another client.
    foreign_refresh_token: Option<String>,
    announced_issuer: Option<String>,
    announced: BTreeMap<&'static str, String>,
    token_type: &'static str,
    extra_keys: usize,
}

type Shared = Arc<Mutex<Realm>>;

/// The running OIDC server.
pub(crate) struct OidcServer {
    server: LoopbackServer,
    realm: Shared,
}

/// The client id and secret of an `Authorization: Basic` header, each form-decoded
/// (RFC 6749 section 2.3.1); `None` for a header that is not one.
fn basic_credentials(header: &str) -> Option<(String, String)> {
    let encoded = header.strip_prefix("Basic ")?;
    let pair = String::from_utf8(STANDARD.decode(encoded).ok()?).ok()?;
    let (id, secret) = pair.split_once(':')?;
    let decode = |part: &str| -> Option<String> {
        if part.contains(['&', '=']) {
            return None;
        }
        let field = format!("v={part}");
        let decoded = url::form_urlencoded::parse(field.as_bytes()).next()?.1.into_owned();
        Some(decoded)
    };
    Some((decode(id)?, decode(secret)?))
}

/// The `scope` claim of a token this server signed.
fn scopes_of(token: &str) -> Vec<String> {
    let claims = token.split('.').nth(1).and_then(|part| URL_SAFE_NO_PAD.decode(part).ok());
    let claims: Value = claims.and_then(|c| serde_json::from_slice(&c).ok()).unwrap_or_default();
    claims["scope"].as_str().unwrap_or_default().split(' ').map(str::to_owned).collect()
}

fn oauth_error(code: StatusCode, error: &str, description: &str) -> Response {
    (code, axum::Json(json!({ "error": error, "error_description": description }))).into_response()
}

fn issuer(headers: &HeaderMap, realm: &str) -> String {
    let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    format!("http://{host}/realms/{realm}")
}

/// Unknown realms are 404; scripted 503s come first.
fn admit(shared: &Shared, realm: &str) -> Option<Response> {
    let mut state = shared.lock().unwrap();
    if state.unavailable > 0 {
        state.unavailable -= 1;
        return Some(oauth_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "try again",
        ));
    }
    if realm != REALM && realm != OTHER_REALM {
        return Some(
            (StatusCode::NOT_FOUND, axum::Json(json!({ "error": "Realm does not exist" })))
                .into_response(),
        );
    }
    None
}

async fn discovery(
    State(shared): State<Shared>,
    Path(realm): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = admit(&shared, &realm) {
        return refused;
    }
    let state = shared.lock().unwrap();
    let issuer = state.announced_issuer.clone().unwrap_or_else(|| issuer(&headers, &realm));
    let mut document = json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/protocol/openid-connect/auth"),
        "token_endpoint": format!("{issuer}/protocol/openid-connect/token"),
        "userinfo_endpoint": format!("{issuer}/protocol/openid-connect/userinfo"),
        "jwks_uri": format!("{issuer}/protocol/openid-connect/certs"),
        "grant_types_supported": ["authorization_code", "client_credentials", "password", "refresh_token"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    });
    for (key, url) in &state.announced {
        if url.is_empty() {
            document.as_object_mut().unwrap().remove(*key);
        } else {
            document[*key] = json!(url);
        }
    }
    axum::Json(document).into_response()
}

async fn certs(State(shared): State<Shared>, Path(realm): Path<String>) -> Response {
    if let Some(refused) = admit(&shared, &realm) {
        return refused;
    }
    let public: ring::rsa::PublicKeyComponents<Vec<u8>> = keys().0.public().into();
    let mut published = vec![
        json!({ "kid": "enc-key", "kty": "RSA", "alg": "RSA-OAEP", "use": "enc", "n": "AQAB", "e": "AQAB" }),
        json!({
            "kid": KID, "kty": "RSA", "alg": "RS256", "use": "sig",
            "n": b64(&public.n),
            "e": b64(&public.e),
        }),
    ];
    let extra = shared.lock().unwrap().extra_keys;
    published.extend(
        (0..extra)
            .map(|i| json!({ "kid": format!("old-{i}"), "kty": "RSA", "n": "AQAB", "e": "AQAB" })),
    );
    axum::Json(json!({ "keys": published })).into_response()
}

async fn token(
    State(shared): State<Shared>,
    Path(realm): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refused) = admit(&shared, &realm) {
        return refused;
    }
    let form: BTreeMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let field = |name: &str| form.get(name).map(String::as_str);
    let basic = headers.get("authorization").and_then(|v| v.to_str().ok()).map(basic_credentials);
    let mut state = shared.lock().unwrap();
    // RFC 6749 section 2.3: one authentication method per request.
    let (client_id, client_secret) = match (basic, field("client_secret")) {
        (Some(_), Some(_)) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "client authentication must use one method",
            );
        }
        (Some(Some((id, secret))), None) => (Some(id), Some(secret)),
        (Some(None), None) => (None, None),
        (None, secret) => (field("client_id").map(str::to_owned), secret.map(str::to_owned)),
    };
    if state.echo {
        // As a careless server does: quote what it received.
        let quoted = format!(
            "client {} with secret {} and user {} with password {} refused",
            client_id.unwrap_or_default(),
            client_secret.unwrap_or_default(),
            field("username").unwrap_or_default(),
            field("password").unwrap_or_default(),
        );
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", &quoted);
    }
    if client_id.as_deref() != Some(CLIENT_ID)
        || client_secret.as_deref() != Some(state.client_secret.as_str())
    {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "unauthorized_client",
            "Invalid client or Invalid client credentials",
        );
    }
    if let Some(foreign) = &state.foreign_refresh_token {
        // RFC 6749 section 5.2: no `"` or `\` in an error_description.
        let description = format!(
            "Token client and authorized client don't match: refresh_token={foreign} belongs to client floe-reports"
        );
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", &description);
    }
    let password = field("grant_type") == Some("password");
    let subject = match field("grant_type") {
        Some("client_credentials") => "service-account-floe-platform".to_owned(),
        Some("password") => {
            if field("username") != Some(USERNAME)
                || field("password") != Some(state.password.as_str())
            {
                return oauth_error(
                    StatusCode::UNAUTHORIZED,
                    "invalid_grant",
                    "Invalid user credentials",
                );
            }
            state.subject.clone()
        }
        _ => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "Unsupported grant_type",
            );
        }
    };
    // A client's own token carries no `openid` scope unless asked for: it is no user's.
    let scope = field("scope").unwrap_or(if password { "openid profile" } else { "profile" });
    let now = now();
    let claims = json!({
        "exp": now + 300, "iat": now, "jti": format!("jti-{}", state.issued.len()),
        "iss": issuer(&headers, &realm), "aud": AUDIENCE, "sub": subject,
        "typ": "Bearer", "azp": CLIENT_ID, "scope": scope,
    });
    let access = sign(&claims, Signer::Realm, Some(KID));
    state.issued.insert(access.clone());
    axum::Json(json!({
        "access_token": access, "expires_in": 300, "refresh_expires_in": 1800,
        "refresh_token": format!("refresh-{}", state.issued.len()), "token_type": state.token_type,
        "not-before-policy": 0, "scope": scope,
    }))
    .into_response()
}

async fn userinfo(
    State(shared): State<Shared>,
    Path(realm): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = admit(&shared, &realm) {
        return refused;
    }
    let state = shared.lock().unwrap();
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if state.echo {
        let quoted = format!("token {} refused", bearer.unwrap_or_default());
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_token", &quoted);
    }
    let Some(token) = bearer.filter(|t| state.issued.contains(*t)) else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_token", "Token verification failed");
    };
    // OpenID Connect Core 5.3: userinfo answers for tokens of an OpenID request only.
    if !scopes_of(token).iter().any(|scope| scope == "openid") {
        return oauth_error(StatusCode::FORBIDDEN, "insufficient_scope", "Missing openid scope");
    }
    axum::Json(json!({
        "sub": state.subject, "preferred_username": USERNAME, "email_verified": false,
    }))
    .into_response()
}

/// Claims of a token `issuer` would issue to the user (Keycloak's shape: audience
/// `account`, `azp` the client), valid for five minutes.
pub(crate) fn claims_for(issuer: &str, subject: &str) -> Value {
    let now = now();
    json!({
        "exp": now + 300, "iat": now, "iss": issuer, "aud": AUDIENCE,
        "sub": subject, "azp": CLIENT_ID, "typ": "Bearer",
    })
}

fn shared(client_secret: &str, password: &str, subject: &str) -> Shared {
    keys();
    Arc::new(Mutex::new(Realm {
        client_secret: client_secret.to_owned(),
        password: password.to_owned(),
        subject: subject.to_owned(),
        issued: BTreeSet::new(),
        unavailable: 0,
        echo: false,
        foreign_refresh_token: None,
        announced_issuer: None,
        announced: BTreeMap::new(),
        token_type: "Bearer",
        extra_keys: 0,
    }))
}

fn router(realm: Shared) -> Router {
    let base = "/realms/{realm}";
    Router::new()
        .route(&format!("{base}/.well-known/openid-configuration"), get(discovery))
        .route(&format!("{base}/protocol/openid-connect/token"), post(token))
        .route(&format!("{base}/protocol/openid-connect/userinfo"), get(userinfo))
        .route(&format!("{base}/protocol/openid-connect/certs"), get(certs))
        .with_state(realm)
}

/// The server's routes for a client whose secret is `client_secret` (the user
/// [`USERNAME`] has [`PASSWORD`]), to serve beside a hostile peer.
#[allow(dead_code, reason = "for the hostile rows of contract-tests, which share this file")]
pub(crate) fn router_for(client_secret: &str) -> Router {
    router(shared(client_secret, PASSWORD, "subject"))
}

impl OidcServer {
    /// Starts the server: `client_secret` is the client's secret, the user [`USERNAME`]
    /// has `password` and subject `subject`.
    pub(crate) fn start(client_secret: &str, password: &str, subject: &str) -> Self {
        let realm = shared(client_secret, password, subject);
        Self { server: LoopbackServer::start(router(Arc::clone(&realm))), realm }
    }

    /// `http://127.0.0.1:<port>`.
    pub(crate) fn url(&self) -> String {
        self.server.url("")
    }

    /// The issuer of `realm`.
    pub(crate) fn issuer(&self, realm: &str) -> String {
        format!("{}/realms/{realm}", self.url())
    }

    /// A plugin config for realm [`REALM`] with `client_secret`.
    pub(crate) fn config(&self, client_secret: &str) -> Value {
        json!({
            "server_url": self.url(), "realm": REALM, "client_id": CLIENT_ID,
            "client_secret": client_secret, "timeout_secs": 5, "leeway_secs": 0,
        })
    }

    /// Claims of a token this realm would issue to the user, valid for five minutes.
    pub(crate) fn claims(&self, subject: &str) -> Value {
        claims_for(&self.issuer(REALM), subject)
    }

    /// The next `count` requests are answered 503.
    pub(crate) fn unavailable(&self, count: u32) {
        self.realm.lock().unwrap().unavailable = count;
    }

    /// Discovery announces `issuer` instead of the realm's own URL.
    pub(crate) fn announce_issuer(&self, issuer: &str) {
        self.realm.lock().unwrap().announced_issuer = Some(issuer.to_owned());
    }

    /// Discovery announces `url` as its `key` (`token_endpoint`, `jwks_uri`, ...).
    pub(crate) fn announce(&self, key: &'static str, url: &str) {
        self.realm.lock().unwrap().announced.insert(key, url.to_owned());
    }

    /// The token and userinfo endpoints refuse every call, quoting the credentials they
    /// received in `error_description`.
    pub(crate) fn echo_credentials(&self) {
        self.realm.lock().unwrap().echo = true;
    }

    /// From now on, the token endpoint refuses every grant of an authenticated client
    /// (400 `invalid_grant`), quoting `refresh_token`, another client's, in
    /// `error_description`: a credential the plugin never sent.
    pub(crate) fn refuse_quoting_refresh_token(&self, refresh_token: &str) {
        self.realm.lock().unwrap().foreign_refresh_token = Some(refresh_token.to_owned());
    }

    /// Discovery leaves `key` out.
    pub(crate) fn withhold(&self, key: &'static str) {
        self.announce(key, "");
    }

    /// The key set publishes `count` more keys.
    pub(crate) fn extra_keys(&self, count: usize) {
        self.realm.lock().unwrap().extra_keys = count;
    }

    /// Token answers name `token_type` (OAuth2 allows other types than `Bearer`).
    pub(crate) fn token_type(&self, token_type: &'static str) {
        self.realm.lock().unwrap().token_type = token_type;
    }

    /// Every request received.
    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        self.server.requests()
    }
}
