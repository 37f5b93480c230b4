//! A loopback HTTP server for tests of plugins whose peer no registry ships: the test
//! writes the protocol's handlers as an `axum::Router`; the server records every request
//! (and, when started with [`LoopbackServer::start_keeping_answers`], every answer) and
//! stops when dropped.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

/// A request the server received.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path.
    pub path: String,
    /// The query string, if any.
    pub query: Option<String>,
    /// Headers, names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Bytes,
}

impl RecordedRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    ///
    /// # Panics
    /// When it is not JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!("request body is not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body))
        })
    }
}

/// An answer the server sent (kept by [`LoopbackServer::start_keeping_answers`]).
#[derive(Clone, Debug)]
pub struct RecordedAnswer {
    /// The request's method.
    pub method: String,
    /// The request's path.
    pub path: String,
    /// The status code.
    pub status: u16,
    /// The `content-type` header, empty when there is none.
    pub content_type: String,
    /// The body.
    pub body: Bytes,
}

/// A running server on `127.0.0.1:<free port>`.
#[derive(Debug)]
pub struct LoopbackServer {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<RecordedRequest>>>,
    answers: Arc<Mutex<Vec<RecordedAnswer>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl LoopbackServer {
    /// Serves `router` on a free loopback port, on a thread of its own (so it works from
    /// sync tests and from any runtime).
    ///
    /// # Panics
    /// When the loopback interface cannot be bound.
    pub fn start(router: Router) -> Self {
        Self::serve(router, Arc::new(Mutex::new(Vec::new())))
    }

    /// Like [`LoopbackServer::start`], and also keeps every answer whole
    /// ([`LoopbackServer::answers`]). Each answer is read to its end before it is sent, so
    /// this is for peers whose answers are small and never streamed or dripped.
    ///
    /// # Panics
    /// When the loopback interface cannot be bound.
    pub fn start_keeping_answers(router: Router) -> Self {
        let answers = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&answers);
        let router =
            router.layer(axum::middleware::from_fn(move |request: Request, next: Next| {
                let kept = Arc::clone(&kept);
                async move { keep_answer(request, next, kept).await }
            }));
        Self::serve(router, answers)
    }

    fn serve(router: Router, answers: Arc<Mutex<Vec<RecordedAnswer>>>) -> Self {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&requests);
        let router =
            router.layer(axum::middleware::from_fn(move |request: Request, next: Next| {
                let recorded = Arc::clone(&recorded);
                async move { record(request, next, recorded).await }
            }));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binding a loopback port");
        let addr = listener.local_addr().expect("local address");
        listener.set_nonblocking(true).expect("non-blocking listener");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(format!("loopback-{}", addr.port()))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("server runtime");
                runtime.block_on(async move {
                    let listener =
                        tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                    let _ = axum::serve(listener, router)
                        .with_graceful_shutdown(async move {
                            let _ = stopped.await;
                        })
                        .await;
                });
            })
            .expect("spawning the server thread");
        Self { addr, requests, answers, stop: Some(stop), thread: Some(thread) }
    }

    /// The server's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.requests.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Every answer sent so far, in order; always empty unless the server was started with
    /// [`LoopbackServer::start_keeping_answers`].
    pub fn answers(&self) -> Vec<RecordedAnswer> {
        self.answers.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl Drop for LoopbackServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            // Graceful shutdown waits for open connections; never wait forever for one.
            let deadline = std::time::Instant::now() + Duration::from_secs(5);
            while !thread.is_finished() && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
            if thread.is_finished() {
                let _ = thread.join();
            }
        }
    }
}

async fn record(
    request: Request,
    next: Next,
    recorded: Arc<Mutex<Vec<RecordedRequest>>>,
) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 16 << 20).await.unwrap_or_default();
    let headers = parts
        .headers
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    recorded.lock().unwrap_or_else(PoisonError::into_inner).push(RecordedRequest {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers,
        body: bytes.clone(),
    });
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

async fn keep_answer(
    request: Request,
    next: Next,
    kept: Arc<Mutex<Vec<RecordedAnswer>>>,
) -> Response {
    let (method, path) = (request.method().to_string(), request.uri().path().to_owned());
    let (parts, body) = next.run(request).await.into_parts();
    let bytes = axum::body::to_bytes(body, 16 << 20).await.unwrap_or_default();
    let content_type = parts
        .headers
        .get("content-type")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    kept.lock().unwrap_or_else(PoisonError::into_inner).push(RecordedAnswer {
        method,
        path,
        status: parts.status.as_u16(),
        content_type,
        body: bytes.clone(),
    });
    Response::from_parts(parts, Body::from(bytes))
}
