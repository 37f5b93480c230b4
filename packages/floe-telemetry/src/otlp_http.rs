//! The OTLP HTTP/protobuf exporter's client: reqwest's blocking client, bounded as a whole.
//!
//! reqwest's blocking client applies its timeout to each read of an answer's body, so a
//! collector that sends its answer a byte at a time, each byte inside the timeout, held
//! the batch span processor's export (and so every export after it, and the flush at
//! shutdown) for as long as it liked. [`BoundedClient`] gives each request the configured
//! timeout in total: the exchange runs on a thread of its own, the export waits for it at
//! most that long, and the thread stops reading once the time is spent (so it outlives
//! the export by at most one read's timeout). Answers are read up to 4 MiB, as the
//! exporter's own client reads them.

use std::io::Read as _;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response, ResponseBodyTooLarge};

/// The most of an answer that is read (the exporter's own client reads as much).
const MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024;

/// reqwest's blocking client, each request bounded by `timeout` as a whole.
#[derive(Debug)]
pub(crate) struct BoundedClient {
    client: reqwest::blocking::Client,
    timeout: Duration,
}

impl BoundedClient {
    /// Wraps `client`; `timeout` bounds each request, its answer included.
    pub(crate) fn new(client: reqwest::blocking::Client, timeout: Duration) -> Self {
        Self { client, timeout }
    }
}

fn too_slow(timeout: Duration) -> HttpError {
    format!("the collector did not answer within {timeout:?}").into()
}

#[async_trait::async_trait]
impl HttpClient for BoundedClient {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let client = self.client.clone();
        let timeout = self.timeout;
        let deadline = Instant::now() + timeout;
        let (answer, answered) = mpsc::sync_channel(1);
        std::thread::Builder::new().name("floe-otlp-http".to_owned()).spawn(move || {
            // The export may have stopped waiting: nobody to tell then.
            let _ = answer.send(exchange(&client, request, deadline, timeout));
        })?;
        match answered.recv_timeout(timeout) {
            Ok(result) => result,
            Err(mpsc::RecvTimeoutError::Timeout) => Err(too_slow(timeout)),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                Err("the HTTP exchange with the collector ended without an answer".into())
            }
        }
    }
}

/// Sends `request` and reads its answer, giving up once `deadline` has passed.
fn exchange(
    client: &reqwest::blocking::Client,
    request: Request<Bytes>,
    deadline: Instant,
    timeout: Duration,
) -> Result<Response<Bytes>, HttpError> {
    let mut response = client.execute(request.try_into()?)?;
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let mut body = Vec::new();
    let mut chunk = vec![0_u8; 64 * 1024];
    loop {
        if Instant::now() >= deadline {
            return Err(too_slow(timeout));
        }
        let read = response.read(&mut chunk)?;
        if read == 0 {
            break;
        }
        if body.len() + read > MAX_ANSWER_BYTES {
            return Err(Box::new(ResponseBodyTooLarge::new()));
        }
        body.extend_from_slice(&chunk[..read]);
    }
    let mut answer = Response::builder().status(status).body(Bytes::from(body))?;
    *answer.headers_mut() = headers;
    Ok(answer)
}
