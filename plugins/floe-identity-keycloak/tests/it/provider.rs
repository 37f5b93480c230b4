//! The plugin's real peer: oidc-provider 9.13.3 (npm; a certified OpenID Provider,
//! installed by `scripts/setup node`) serving Keycloak's realms `floe` and `ops` with
//! Keycloak's paths and access-token shape (`keycloak_realms.mjs`), started once per test
//! binary on a free loopback port: generating the realms' RSA keys and loading the
//! provider take seconds. The driver exits as soon as this test process is gone, and runs
//! under `timeout` (through `PeerProcess`).
//!
//! Clients of both realms:
//! - [`CLIENT_ID`]: confidential, `client_secret_basic`, the client-credentials,
//!   authorization-code and refresh-token grants; its secret holds characters that
//!   RFC 6749 section 2.3.1 makes a client form-encode before HTTP Basic;
//! - [`POST_CLIENT_ID`]: the same with `client_secret_post`;
//! - [`OTHER_CLIENT_ID`]: another confidential client of the realm, whose tokens carry
//!   the same audience (`account`) and its own `azp`.
//!
//! A user logs in through the provider's development interactions (any login name is an
//! account), consents, and the code is exchanged for tokens by [`RealProvider::login`],
//! as a browser and a web application would: the refresh tokens the plugin's refresh
//! grant needs come from there, because oidc-provider has no password grant and issues
//! no refresh token to the client-credentials grant.
#![expect(clippy::unwrap_used, reason = "test peer set-up: a failure must fail the test")]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::LazyLock;
use std::time::Duration;

use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::peers::{PeerProcess, free_port, node_modules, system_bin};
use serde_json::{Value, json};

/// The realm most tests use.
pub(crate) const REALM: &str = "floe";
/// The second realm.
pub(crate) const OTHER_REALM: &str = "ops";
/// The confidential client authenticating with `client_secret_basic`.
pub(crate) const CLIENT_ID: &str = "floe-platform";
/// The confidential client authenticating with `client_secret_post`.
pub(crate) const POST_CLIENT_ID: &str = "floe-platform-post";
/// Another client of the realm.
pub(crate) const OTHER_CLIENT_ID: &str = "floe-reports";
/// Where the code flow sends the browser back (never contacted).
const REDIRECT_URI: &str = "http://127.0.0.1:9/floe/callback";

/// The running provider.
#[derive(Debug)]
pub(crate) struct RealProvider {
    addr: SocketAddr,
    /// The secret of [`CLIENT_ID`] and [`POST_CLIENT_ID`].
    pub(crate) client_secret: String,
    /// The secret of [`OTHER_CLIENT_ID`].
    pub(crate) other_secret: String,
    _process: PeerProcess,
}

static PROVIDER: LazyLock<Result<RealProvider, String>> = LazyLock::new(start);

/// The shared provider, started on first use.
///
/// # Panics
/// When it cannot be started; the message quotes its log.
pub(crate) fn provider() -> &'static RealProvider {
    match &*PROVIDER {
        Ok(provider) => provider,
        Err(message) => panic!("oidc-provider did not start: {message}"),
    }
}

fn client(id: &str, secret: &str, method: &str, grants: &[&str]) -> Value {
    json!({
        "client_id": id, "client_secret": secret, "token_endpoint_auth_method": method,
        "grant_types": grants, "redirect_uris": [REDIRECT_URI],
        "response_types": if grants.contains(&"authorization_code") { json!(["code"]) } else { json!([]) },
    })
}

fn start() -> Result<RealProvider, String> {
    let node = system_bin("node").map_err(|e| e.to_string())?;
    let modules = node_modules().map_err(|e| e.to_string())?;
    let driver = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/it/keycloak_realms.mjs");
    // Characters a client must form-encode for HTTP Basic (RFC 6749 section 2.3.1).
    let client_secret = format!("s3cret+%&=:/{}", planted_secret());
    let other_secret = planted_secret();
    let all = ["client_credentials", "authorization_code", "refresh_token"];
    let config = json!({
        "realms": [REALM, OTHER_REALM],
        "clients": [
            client(CLIENT_ID, &client_secret, "client_secret_basic", &all),
            client(POST_CLIENT_ID, &client_secret, "client_secret_post", &["client_credentials"]),
            client(OTHER_CLIENT_ID, &other_secret, "client_secret_basic", &["client_credentials"]),
        ],
    })
    .to_string();
    let port = free_port();
    let args = [
        driver.to_str().unwrap(),
        modules.to_str().unwrap(),
        &port.to_string(),
        &std::process::id().to_string(),
    ];
    // The configuration holds the client secrets: in the environment, never in argv.
    let envs = [("FLOE_OIDC_CONFIG", config.as_str())];
    let mut process =
        PeerProcess::spawn("oidc-provider", &node, &args, &envs).map_err(|e| e.to_string())?;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let discovery = format!("/realms/{REALM}/.well-known/openid-configuration");
    process.wait_for_http(addr, &discovery, Duration::from_secs(90)).map_err(|e| e.to_string())?;
    Ok(RealProvider { addr, client_secret, other_secret, _process: process })
}

/// Tokens of a code-flow login.
pub(crate) struct Login {
    pub(crate) refresh_token: String,
}

impl RealProvider {
    /// `http://127.0.0.1:<port>`.
    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The issuer of `realm`.
    pub(crate) fn issuer(&self, realm: &str) -> String {
        format!("{}/realms/{realm}", self.url())
    }

    /// The plugin's config for `client_id` of realm [`REALM`] with `client_secret`.
    pub(crate) fn config(&self, client_id: &str, client_secret: &str) -> Value {
        json!({
            "server_url": self.url(), "realm": REALM, "client_id": client_id,
            "client_secret": client_secret, "timeout_secs": 10, "leeway_secs": 0,
        })
    }

    /// Logs `user` in to realm [`REALM`] through the authorization-code flow of
    /// [`CLIENT_ID`] (the provider's own login and consent pages, a cookie jar, no
    /// redirect followed blindly), asking for `openid offline_access profile`, and
    /// exchanges the code for tokens with `client_secret_basic`.
    pub(crate) async fn login(&self, user: &str) -> Login {
        floe_core::http::install_crypto_provider();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap();
        let mut jar = BTreeMap::new();
        let base = self.issuer(REALM);
        let query = [
            ("client_id", CLIENT_ID),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT_URI),
            ("scope", "openid offline_access profile"),
            ("prompt", "consent"),
        ];
        let auth = format!("{base}/protocol/openid-connect/auth");
        let start = http.get(reqwest::Url::parse_with_params(&auth, query).unwrap());
        let mut location = follow(&mut jar, start).await;
        // Login, then consent: each a form posted to the interaction, then a resume.
        for form in [
            vec![("prompt", "login"), ("login", user), ("password", "x")],
            vec![("prompt", "consent")],
        ] {
            let post = form_post(http.post(self.absolute(&location)), &form);
            let resume = follow(&mut jar, post).await;
            location = follow(&mut jar, http.get(self.absolute(&resume))).await;
        }
        let code = reqwest::Url::parse(&location)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "code")
            .map_or_else(
                || panic!("the login ended without a code: {location}"),
                |(_, v)| v.into_owned(),
            );
        let encode =
            |v: &str| url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
        let exchange = http
            .post(format!("{base}/protocol/openid-connect/token"))
            .basic_auth(encode(CLIENT_ID), Some(encode(&self.client_secret)));
        let fields =
            [("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", REDIRECT_URI)];
        let answer: Value =
            form_post(exchange, &fields).send().await.unwrap().json().await.unwrap();
        let refresh = answer["refresh_token"].as_str();
        Login {
            refresh_token: refresh
                .unwrap_or_else(|| panic!("no refresh token: {answer}"))
                .to_owned(),
        }
    }

    fn absolute(&self, location: &str) -> String {
        if location.starts_with('/') {
            format!("{}{location}", self.url())
        } else {
            location.to_owned()
        }
    }
}

/// `request` with `fields` as its form body.
fn form_post(request: reqwest::RequestBuilder, fields: &[(&str, &str)]) -> reqwest::RequestBuilder {
    let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
    request.header("content-type", "application/x-www-form-urlencoded").body(body)
}

/// Sends `request` with the jar's cookies, keeps the ones it sets, and returns the
/// redirect's `Location`.
async fn follow(jar: &mut BTreeMap<String, String>, request: reqwest::RequestBuilder) -> String {
    let cookie: Vec<String> = jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let answer = request.header("cookie", cookie.join("; ")).send().await.unwrap();
    for set in answer.headers().get_all("set-cookie") {
        let pair = set.to_str().unwrap().split(';').next().unwrap_or_default();
        if let Some((name, value)) = pair.split_once('=') {
            jar.insert(name.trim().to_owned(), value.to_owned());
        }
    }
    let status = answer.status();
    let location = answer.headers().get("location").map(|l| l.to_str().unwrap().to_owned());
    location.unwrap_or_else(|| panic!("expected a redirect, got {status}"))
}
