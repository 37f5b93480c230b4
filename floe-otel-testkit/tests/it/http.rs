//! The loopback server keeps every answer whole when asked to, and none otherwise.

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use floe_otel_testkit::http::LoopbackServer;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

fn router() -> Router {
    Router::new()
        .route("/found", get(|| async { axum::Json(serde_json::json!({ "kind": "Thing" })) }))
        .route("/refused", get(|| async { (StatusCode::FORBIDDEN, "no") }))
}

/// One HTTP/1.1 GET, answered whole.
async fn get_text(server: &LoopbackServer, path: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(server.addr()).await.expect("connects");
    let request = format!("GET {path} HTTP/1.1\r\nhost: loopback\r\nconnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("sends");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("reads");
    answer
}

#[tokio::test]
async fn answers_are_kept_in_order_with_status_type_and_body_only_when_asked() {
    let keeping = LoopbackServer::start_keeping_answers(router());
    let plain = LoopbackServer::start(router());

    let found = get_text(&keeping, "/found").await;
    let refused = get_text(&keeping, "/refused").await;
    get_text(&plain, "/found").await;

    assert!(found.ends_with("{\"kind\":\"Thing\"}"), "the client got the whole body: {found}");
    assert!(refused.starts_with("HTTP/1.1 403"), "{refused}");
    let answers = keeping.answers();
    let kept: Vec<(&str, &str, u16, &str, &[u8])> = answers
        .iter()
        .map(|a| {
            (a.method.as_str(), a.path.as_str(), a.status, a.content_type.as_str(), &a.body[..])
        })
        .collect();
    assert_eq!(
        kept,
        [
            ("GET", "/found", 200, "application/json", &b"{\"kind\":\"Thing\"}"[..]),
            ("GET", "/refused", 403, "text/plain; charset=utf-8", &b"no"[..]),
        ]
    );
    assert!(plain.answers().is_empty(), "a server started plainly keeps no answer");
    assert_eq!(plain.requests().len(), 1);
}
