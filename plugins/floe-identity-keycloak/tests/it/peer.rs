//! A loopback OpenID Connect server speaking Keycloak's realm endpoints: discovery
//! (`/realms/<realm>/.well-known/openid-configuration`), the token endpoint (client
//! credentials and password grants, OAuth2 error bodies), userinfo, and the JWKS of an
//! RSA key generated when the tests start (`openssl genpkey`, 2048 bits, PKCS#1 DER), which
//! signs RS256 tokens with `ring`. Shared by the plugin's tests and its contract row, so it
//! imports nothing from the plugin.
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
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
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
    announced_issuer: Option<String>,
}

type Shared = Arc<Mutex<Realm>>;

/// The running OIDC server.
pub(crate) struct OidcServer {
    server: LoopbackServer,
    realm: Shared,
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
    let announced = shared.lock().unwrap().announced_issuer.clone();
    let issuer = announced.unwrap_or_else(|| issuer(&headers, &realm));
    axum::Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/protocol/openid-connect/auth"),
        "token_endpoint": format!("{issuer}/protocol/openid-connect/token"),
        "userinfo_endpoint": format!("{issuer}/protocol/openid-connect/userinfo"),
        "jwks_uri": format!("{issuer}/protocol/openid-connect/certs"),
        "grant_types_supported": ["authorization_code", "client_credentials", "password", "refresh_token"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    }))
    .into_response()
}

async fn certs(State(shared): State<Shared>, Path(realm): Path<String>) -> Response {
    if let Some(refused) = admit(&shared, &realm) {
        return refused;
    }
    let public: ring::rsa::PublicKeyComponents<Vec<u8>> = keys().0.public().into();
    axum::Json(json!({ "keys": [
        { "kid": "enc-key", "kty": "RSA", "alg": "RSA-OAEP", "use": "enc", "n": "AQAB", "e": "AQAB" },
        {
            "kid": KID, "kty": "RSA", "alg": "RS256", "use": "sig",
            "n": b64(&public.n),
            "e": b64(&public.e),
        },
    ]}))
    .into_response()
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
    let mut state = shared.lock().unwrap();
    if field("client_id") != Some(CLIENT_ID)
        || field("client_secret") != Some(state.client_secret.as_str())
    {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "unauthorized_client",
            "Invalid client or Invalid client credentials",
        );
    }
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
    let now = now();
    let claims = json!({
        "exp": now + 300, "iat": now, "jti": format!("jti-{}", state.issued.len()),
        "iss": issuer(&headers, &realm), "aud": [CLIENT_ID, "account"], "sub": subject,
        "typ": "Bearer", "azp": CLIENT_ID, "scope": field("scope").unwrap_or("openid"),
    });
    let access = sign(&claims, Signer::Realm, Some(KID));
    state.issued.insert(access.clone());
    axum::Json(json!({
        "access_token": access, "expires_in": 300, "refresh_expires_in": 1800,
        "refresh_token": format!("refresh-{}", state.issued.len()), "token_type": "Bearer",
        "not-before-policy": 0, "scope": "openid profile",
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
    match bearer.filter(|t| state.issued.contains(*t)) {
        Some(_) => axum::Json(json!({
            "sub": state.subject, "preferred_username": USERNAME, "email_verified": false,
        }))
        .into_response(),
        None => oauth_error(StatusCode::UNAUTHORIZED, "invalid_token", "Token verification failed"),
    }
}

impl OidcServer {
    /// Starts the server: `client_secret` is the client's secret, the user [`USERNAME`]
    /// has `password` and subject `subject`.
    pub(crate) fn start(client_secret: &str, password: &str, subject: &str) -> Self {
        keys();
        let realm: Shared = Arc::new(Mutex::new(Realm {
            client_secret: client_secret.to_owned(),
            password: password.to_owned(),
            subject: subject.to_owned(),
            issued: BTreeSet::new(),
            unavailable: 0,
            announced_issuer: None,
        }));
        let base = "/realms/{realm}";
        let router = Router::new()
            .route(&format!("{base}/.well-known/openid-configuration"), get(discovery))
            .route(&format!("{base}/protocol/openid-connect/token"), post(token))
            .route(&format!("{base}/protocol/openid-connect/userinfo"), get(userinfo))
            .route(&format!("{base}/protocol/openid-connect/certs"), get(certs))
            .with_state(Arc::clone(&realm));
        Self { server: LoopbackServer::start(router), realm }
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
        let now = now();
        json!({
            "exp": now + 300, "iat": now, "iss": self.issuer(REALM), "aud": [CLIENT_ID, "account"],
            "sub": subject, "azp": CLIENT_ID, "typ": "Bearer",
        })
    }

    /// The next `count` requests are answered 503.
    pub(crate) fn unavailable(&self, count: u32) {
        self.realm.lock().unwrap().unavailable = count;
    }

    /// Discovery announces `issuer` instead of the realm's own URL.
    pub(crate) fn announce_issuer(&self, issuer: &str) {
        self.realm.lock().unwrap().announced_issuer = Some(issuer.to_owned());
    }

    /// Every request received.
    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        self.server.requests()
    }
}
