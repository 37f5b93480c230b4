//! A hostile gRPC peer on loopback: HTTP/2 (h2c, as an OTLP/gRPC collector without TLS
//! serves it) that misbehaves in the one way a case chooses, for telemetry-jaeger's
//! connection check over gRPC (`telemetry_jaeger.rs`).
//!
//! What it may do follows the gRPC over HTTP/2 protocol (`PROTOCOL-HTTP2.md` in
//! grpc/grpc): a response is HEADERS (`:status 200`, `content-type: application/grpc`),
//! length-prefixed messages (a compressed flag byte, a 4-byte big-endian length, the
//! message) and trailers carrying `grpc-status` and a percent-encoded `grpc-message`; a
//! "Trailers-Only" response puts them in the one HEADERS frame.
//!
//! Every HTTP/2 answer carries the echo of the request (its path and every header, the API
//! key among them) in its `x-floe-echo` header; the refusals also put it in `grpc-message`,
//! and the garbage and the cut answers in their message bytes.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use floe_otel_testkit::hostile::{
    DRIBBLE_INTERVAL, ECHO_HEADER, HOSTILE_LIFETIME, HUGE_BODY_BYTES,
};
use futures_util::stream::{self, Stream, StreamExt as _};
use http_body::Frame;

use super::Hostile;

/// How the gRPC peer misbehaves.
#[derive(Clone, Copy, Debug)]
pub(crate) enum GrpcBehaviour {
    /// A Trailers-Only refusal: `grpc-status` `code`, the echo in `grpc-message`.
    EchoTrailersOnly {
        /// The gRPC status code (16 unauthenticated, 7 permission denied, 14 unavailable).
        code: u8,
    },
    /// HEADERS, then trailers with `grpc-status` `code` and the echo in `grpc-message`.
    EchoInTrailers {
        /// The gRPC status code.
        code: u8,
    },
    /// Not gRPC at all: an HTTP `status` (a proxy's refusal) with the echo as text.
    HttpStatus {
        /// The HTTP status.
        status: u16,
    },
    /// HEADERS, then a message announcing 50 MB that keeps coming.
    HugeMessage,
    /// HEADERS, then a message announcing 1 KiB, one byte every [`DRIBBLE_INTERVAL`].
    Dribble,
    /// No answer at all.
    Stall,
    /// HEADERS, then a frame whose compressed flag is neither 0 nor 1 (the echo as its
    /// payload), then `grpc-status: 0`.
    GarbageFrame,
    /// HEADERS, then a well-framed message that is not protobuf (the echo), then
    /// `grpc-status: 0`.
    GarbageMessage,
    /// HEADERS, the start of a message with the echo in it, then the stream is reset.
    CloseMidAnswer,
    /// Not HTTP/2: an HTTP/1.1 400 quoting the raw bytes it read (the HTTP/2 preface and
    /// the first frames, HPACK-encoded headers with the API key among them), then close.
    NotHttp2,
}

/// A running hostile gRPC peer; stops when dropped.
pub(crate) struct GrpcPeer {
    addr: SocketAddr,
    answers: Arc<AtomicUsize>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl GrpcPeer {
    /// Starts a peer behaving as `behaviour` on its own thread and runtime.
    pub(crate) fn start(behaviour: GrpcBehaviour) -> Self {
        let answers = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&answers);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binding a loopback port");
        let addr = listener.local_addr().expect("the peer's address");
        listener.set_nonblocking(true).expect("a non-blocking listener");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(format!("hostile-grpc-{}", addr.port()))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("the peer's runtime");
                runtime.block_on(async move {
                    let listener =
                        tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
                    let serving = async move {
                        if matches!(behaviour, GrpcBehaviour::NotHttp2) {
                            not_http2(listener, &counted).await;
                        } else {
                            let router = Router::new().fallback(move |request: Request| {
                                counted.fetch_add(1, Ordering::SeqCst);
                                answer(behaviour, request)
                            });
                            let _ = axum::serve(listener, router).await;
                        }
                    };
                    // Not graceful: a stalled or dribbling answer ends with the runtime.
                    tokio::select! {
                        () = serving => {}
                        _ = stopped => {}
                    }
                });
            })
            .expect("spawning the peer thread");
        Self { addr, answers, stop: Some(stop), thread: Some(thread) }
    }
}

impl Drop for GrpcPeer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Hostile for GrpcPeer {
    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn hostile_answers(&self) -> usize {
        self.answers.load(Ordering::SeqCst)
    }

    /// gRPC has no redirects, and the peer sends none.
    fn redirect_target_contacted(&self) -> bool {
        false
    }
}

/// Accepts connections, reads what comes (the HTTP/2 preface and frames), writes bytes
/// that are not HTTP/2, and closes.
async fn not_http2(listener: tokio::net::TcpListener, counted: &AtomicUsize) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    while let Ok((mut socket, _)) = listener.accept().await {
        counted.fetch_add(1, Ordering::SeqCst);
        let mut seen = vec![0_u8; 4096];
        let read = socket.read(&mut seen).await.unwrap_or(0);
        let text = String::from_utf8_lossy(&seen[..read]).into_owned();
        let _ =
            socket.write_all(format!("HTTP/1.1 400 Bad Request\r\n\r\n{text}").as_bytes()).await;
        let _ = socket.shutdown().await;
    }
}

/// The request's path and every header, `name: value`, joined by ` | `.
fn echo_of(request: &Request) -> String {
    let mut parts = vec![format!("{} {}", request.method(), request.uri().path())];
    for (name, value) in request.headers() {
        parts.push(format!("{name}: {}", String::from_utf8_lossy(value.as_bytes())));
    }
    parts.join(" | ")
}

/// `text` percent-encoded as `grpc-message` is (every byte outside visible ASCII, and `%`).
fn percent_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if (0x20..0x7f).contains(&b) && b != b'%' {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(&percent_encoded(text))
        .unwrap_or_else(|_| HeaderValue::from_static("unprintable"))
}

/// `grpc-status` and `grpc-message` (the echo).
fn status_headers(code: u8, echo: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("grpc-status", HeaderValue::from(u16::from(code)));
    headers.insert("grpc-message", header_value(&format!("refused: {echo}")));
    headers
}

/// One gRPC length-prefixed message frame's prefix.
fn prefix(compressed: u8, length: usize) -> Bytes {
    let length = u32::try_from(length).unwrap_or(u32::MAX);
    let mut bytes = vec![compressed];
    bytes.extend_from_slice(&length.to_be_bytes());
    Bytes::from(bytes)
}

type Frames = std::pin::Pin<Box<dyn Stream<Item = Result<Frame<Bytes>, std::io::Error>> + Send>>;

#[expect(clippy::unnecessary_wraps, reason = "a body frame as the body's stream yields it")]
fn data(bytes: Bytes) -> Result<Frame<Bytes>, std::io::Error> {
    Ok(Frame::data(bytes))
}

fn grpc_response(echo: &str, frames: Frames) -> Response {
    let mut response = Response::new(Body::new(StreamBody { frames }));
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static("application/grpc"));
    headers.insert(ECHO_HEADER, header_value(echo));
    response
}

/// A body made of a stream of frames (data and trailers).
struct StreamBody {
    frames: Frames,
}

impl http_body::Body for StreamBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        self.frames.as_mut().poll_next(cx)
    }
}

async fn answer(behaviour: GrpcBehaviour, request: Request) -> Response {
    let echo = echo_of(&request);
    match behaviour {
        GrpcBehaviour::EchoTrailersOnly { code } => {
            let mut response = grpc_response(&echo, stream::empty().boxed());
            response.headers_mut().extend(status_headers(code, &echo));
            response
        }
        GrpcBehaviour::EchoInTrailers { code } => {
            let trailers = Ok(Frame::trailers(status_headers(code, &echo)));
            grpc_response(&echo, stream::iter([trailers]).boxed())
        }
        GrpcBehaviour::HttpStatus { status } => {
            let mut response = Response::new(Body::from(format!("request refused: {echo}")));
            *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::FORBIDDEN);
            response.headers_mut().insert("content-type", HeaderValue::from_static("text/plain"));
            response.headers_mut().insert(ECHO_HEADER, header_value(&echo));
            response
        }
        GrpcBehaviour::HugeMessage => {
            const CHUNK: usize = 1 << 20;
            let filler = Bytes::from(vec![b'a'; CHUNK]);
            let chunks = (0..HUGE_BODY_BYTES / CHUNK).map(move |_| data(filler.clone()));
            let frames =
                stream::iter(std::iter::once(data(prefix(0, HUGE_BODY_BYTES))).chain(chunks));
            grpc_response(&echo, frames.boxed())
        }
        GrpcBehaviour::Dribble => {
            let started = Instant::now();
            let bytes = stream::unfold((), move |()| async move {
                tokio::time::sleep(DRIBBLE_INTERVAL).await;
                (started.elapsed() < HOSTILE_LIFETIME).then(|| (data(Bytes::from_static(b" ")), ()))
            });
            grpc_response(&echo, stream::iter([data(prefix(0, 1024))]).chain(bytes).boxed())
        }
        GrpcBehaviour::Stall => {
            tokio::time::sleep(HOSTILE_LIFETIME).await;
            grpc_response(&echo, stream::empty().boxed())
        }
        GrpcBehaviour::GarbageFrame => {
            let payload = Bytes::from(echo.clone());
            let frames = [
                data(prefix(7, payload.len())),
                data(payload),
                Ok(Frame::trailers(status_headers(0, ""))),
            ];
            grpc_response(&echo, stream::iter(frames).boxed())
        }
        GrpcBehaviour::GarbageMessage => {
            // 0xFF starts no valid protobuf field (wire type 7).
            let payload = Bytes::from([&[0xFF_u8, 0xFF][..], echo.as_bytes()].concat());
            let frames = [
                data(prefix(0, payload.len())),
                data(payload),
                Ok(Frame::trailers(status_headers(0, ""))),
            ];
            grpc_response(&echo, stream::iter(frames).boxed())
        }
        GrpcBehaviour::CloseMidAnswer => {
            let start = data(Bytes::from([&prefix(0, 65_536)[..], echo.as_bytes()].concat()));
            let reset = stream::once(async {
                tokio::time::sleep(Duration::from_millis(50)).await;
                Err(std::io::Error::other("the hostile peer closes mid-answer"))
            });
            grpc_response(&echo, stream::iter([start]).chain(reset).boxed())
        }
        GrpcBehaviour::NotHttp2 => unreachable!("served by not_http2"),
    }
}
