//! The hostile answers: the echo of a request's credentials, and one response builder per
//! [`Behaviour`].

use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use futures_util::stream;
use serde_json::{Value, json};

use super::{Behaviour, DRIBBLE_INTERVAL, ECHO_HEADER, HOSTILE_LIFETIME, HUGE_BODY_BYTES, State};
use crate::http::RecordedRequest;

/// Every credential-bearing part of `request`, raw and decoded, joined by ` | `: the
/// request line (a webhook's path is its credential), each header, the query and the
/// body.
pub fn echo_of(request: &RecordedRequest) -> String {
    let mut parts = vec![format!("{} {}", request.method, request.path)];
    for (name, value) in &request.headers {
        parts.push(format!("{name}: {value}"));
        if let Some(encoded) = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic "))
            && let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim())
        {
            parts.push(format!("basic {}", String::from_utf8_lossy(&decoded)));
        }
    }
    if let Some(query) = &request.query {
        parts.push(format!("query {query}"));
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            parts.push(format!("{key}={value}"));
        }
    }
    if !request.body.is_empty() {
        parts.push(format!("body {}", String::from_utf8_lossy(&request.body)));
        for (key, value) in url::form_urlencoded::parse(&request.body) {
            parts.push(format!("{key}={value}"));
        }
        if let Ok(json) = serde_json::from_slice::<Value>(&request.body) {
            json_strings(&json, &mut parts);
        }
    }
    parts.join(" | ")
}

fn json_strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(text) => out.push(text.clone()),
        Value::Array(items) => items.iter().for_each(|item| json_strings(item, out)),
        Value::Object(map) => map.values().for_each(|item| json_strings(item, out)),
        _ => {}
    }
}

/// `text` as a header value: visible ASCII kept, anything else percent-encoded.
fn header_value(text: &str) -> HeaderValue {
    let visible: String = text
        .bytes()
        .map(|b| {
            if (0x20..0x7f).contains(&b) && b != b'%' {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    HeaderValue::from_str(&visible).unwrap_or_else(|_| HeaderValue::from_static("unprintable"))
}

pub(super) async fn answer(state: &State, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 16 << 20).await.unwrap_or_default();
    let recorded = RecordedRequest {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned())
            })
            .collect(),
        body: bytes,
    };
    let echo = echo_of(&recorded);
    if matches!(state.behaviour, Behaviour::Stall) {
        // No head, no byte: wait until the peer is dropped (or for its whole lifetime).
        let mut stop = state.stop.clone();
        let until = tokio::time::sleep(HOSTILE_LIFETIME);
        let stopped = stop.wait_for(|stopped| *stopped);
        futures_util::future::select(std::pin::pin!(until), std::pin::pin!(stopped)).await;
    }
    let mut response = respond(state, &recorded, &echo);
    let headers = response.headers_mut();
    headers.insert(ECHO_HEADER, header_value(&echo));
    headers.insert(
        "www-authenticate",
        header_value(&format!(
            "Bearer error=\"invalid_token\", error_description=\"{}\"",
            echo.replace('"', "'")
        )),
    );
    response
}

fn with_status(status: u16, content_type: &'static str, body: Body) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    response.headers_mut().insert("content-type", HeaderValue::from_static(content_type));
    response
}

fn json_body(status: u16, value: &Value) -> Response {
    with_status(status, "application/json", Body::from(value.to_string()))
}

fn respond(state: &State, request: &RecordedRequest, echo: &str) -> Response {
    match state.behaviour {
        Behaviour::Echo { status } => json_body(
            status,
            &json!({
                "kind": "Status", "apiVersion": "v1", "status": "Failure", "code": status,
                "statusCode": status, "message": echo, "reason": echo, "error": echo,
                "error_description": echo, "detail": echo, "title": echo,
            }),
        ),
        Behaviour::EchoText { status } => {
            with_status(status, "text/plain", Body::from(format!("request refused: {echo}")))
        }
        Behaviour::EchoWith { status, body } => json_body(status, &body(echo)),
        Behaviour::Redirect { status } => redirect(state, request, status),
        Behaviour::HugeBody { status, declared } => huge(status, declared, echo),
        Behaviour::Dribble => dribble(state),
        // Handled in `answer`: the head is sent as soon as a response exists.
        Behaviour::Stall => with_status(504, "text/plain", Body::from("stalled")),
        Behaviour::MalformedJson => {
            let text = format!(
                "{{\"kind\": \"Secret\", \"echo\": {}, \"data\": {{\"key\": ]}}",
                json!(echo)
            );
            with_status(200, "application/json", Body::from(text))
        }
        Behaviour::TruncatedJson => {
            let full = json!({ "kind": "Secret", "metadata": { "name": echo }, "data": { "password": echo } });
            let full = full.to_string();
            let cut = full.len() * 2 / 3;
            with_status(200, "application/json", Body::from(full.as_bytes()[..cut].to_vec()))
        }
        Behaviour::WrongShapeJson => {
            let object: serde_json::Map<String, Value> = WRONG_SHAPE_FIELDS
                .iter()
                .map(|f| ((*f).to_owned(), Value::String(echo.to_owned())))
                .collect();
            json_body(200, &Value::Object(object))
        }
        Behaviour::CloseMidAnswer => close_mid_answer(echo),
    }
}

/// The fields [`Behaviour::WrongShapeJson`] fills with the echo: what the floe plugins'
/// protocols read (Kubernetes, Infisical, OAuth and OIDC, Iceberg REST, Marquez).
const WRONG_SHAPE_FIELDS: [&str; 24] = [
    "kind",
    "apiVersion",
    "metadata",
    "data",
    "items",
    "secret",
    "secrets",
    "accessToken",
    "access_token",
    "expiresIn",
    "expires_in",
    "token_type",
    "issuer",
    "token_endpoint",
    "jwks_uri",
    "keys",
    "namespaces",
    "message",
    "error",
    "status",
    "config",
    "defaults",
    "overrides",
    "identifiers",
];

fn redirect(state: &State, request: &RecordedRequest, status: u16) -> Response {
    let mut target = format!("{}{}", state.elsewhere, request.path);
    if let Some(query) = &request.query {
        target = format!("{target}?{query}");
    }
    let mut response = with_status(status, "text/plain", Body::from("moved"));
    response.headers_mut().insert("location", header_value(&target));
    response
}

fn dribble(state: &State) -> Response {
    let stop = state.stop.clone();
    let started = Instant::now();
    let bytes = stream::unfold(stop, move |stop| async move {
        tokio::time::sleep(DRIBBLE_INTERVAL).await;
        if *stop.borrow() || started.elapsed() > HOSTILE_LIFETIME {
            return None;
        }
        Some((Ok::<_, std::io::Error>(Bytes::from_static(b" ")), stop))
    });
    let start = stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(b"{\"data\":"))]);
    let body = Body::from_stream(futures_util::StreamExt::chain(start, bytes));
    with_status(200, "application/json", body)
}

fn close_mid_answer(echo: &str) -> Response {
    let start = Bytes::from(format!("{{\"kind\":\"Secret\",\"data\":{{\"echo\":{}", json!(echo)));
    // The start goes out on its own; a moment later the body fails, and hyper closes the
    // connection with the declared length unmet.
    let parts = stream::unfold(Some(start), |start| async move {
        if let Some(start) = start {
            return Some((Ok(start), None));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        Some((Err(std::io::Error::other("the hostile peer closes mid-answer")), None))
    });
    let mut response = with_status(200, "application/json", Body::from_stream(parts));
    response.headers_mut().insert("content-length", HeaderValue::from(65_536_u32));
    response
}

fn huge(status: u16, declared: bool, echo: &str) -> Response {
    const CHUNK: usize = 1024 * 1024;
    let head = Bytes::from(format!("{{\"message\":{},\"data\":\"", json!(echo)));
    let filler = Bytes::from(vec![b'a'; CHUNK]);
    let chunks = (HUGE_BODY_BYTES.saturating_sub(head.len())).div_ceil(CHUNK);
    let last = HUGE_BODY_BYTES - head.len() - (chunks - 1) * CHUNK;
    let body = stream::iter(
        std::iter::once(head)
            .chain((0..chunks - 1).map(move |_| filler.clone()))
            .chain(std::iter::once(Bytes::from(vec![b'a'; last])))
            .map(Ok::<_, std::io::Error>),
    );
    let mut response = with_status(status, "application/json", Body::from_stream(body));
    if declared {
        response.headers_mut().insert("content-length", HeaderValue::from(HUGE_BODY_BYTES));
    }
    response
}
