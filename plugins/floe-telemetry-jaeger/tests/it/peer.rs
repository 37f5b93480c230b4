//! A loopback OTLP/gRPC receiver, the collector side of Jaeger: `opentelemetry-proto`'s
//! generated `TraceService` server, served over HTTP/2 by axum on a free loopback port.
//! Every export request is decoded and kept; a receiver started with an API key refuses
//! requests without it (`UNAUTHENTICATED`, echoing what it got, like a careless server).
//! Shared with the contract row and the contract suite's OTLP round trip.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};

/// The header a receiver started with an API key checks.
pub(crate) const API_KEY_HEADER: &str = "x-api-key";

/// One export request as the receiver decoded it.
#[derive(Clone, Debug)]
pub(crate) struct Received {
    /// The decoded OTLP request.
    pub(crate) request: ExportTraceServiceRequest,
    /// The `content-type` the request came with.
    pub(crate) content_type: Option<String>,
}

#[derive(Debug)]
struct Collector {
    api_key: Option<String>,
    received: Mutex<Vec<Received>>,
}

/// The service half the server owns; the receiver keeps the other handle to read.
#[derive(Debug)]
struct Service(Arc<Collector>);

#[tonic::async_trait]
impl TraceService for Service {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        let header = |name: &str| {
            request.metadata().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
        };
        if let Some(expected) = &self.0.api_key {
            let given = header(API_KEY_HEADER).unwrap_or_default();
            if &given != expected {
                return Err(tonic::Status::unauthenticated(format!(
                    "{given} is not a key we know"
                )));
            }
        }
        let content_type = header("content-type");
        let received = Received { request: request.into_inner(), content_type };
        self.0.received.lock().unwrap_or_else(PoisonError::into_inner).push(received);
        Ok(tonic::Response::new(ExportTraceServiceResponse { partial_success: None }))
    }
}

/// A running receiver; stops when dropped.
#[derive(Debug)]
pub(crate) struct OtlpReceiver {
    addr: SocketAddr,
    collector: Arc<Collector>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl OtlpReceiver {
    /// Starts a receiver on its own thread and runtime (so sync tests and exporters on
    /// other runtimes reach it); with `api_key`, only requests carrying it are accepted.
    pub(crate) fn start(api_key: Option<&str>) -> Self {
        let collector =
            Arc::new(Collector { api_key: api_key.map(str::to_owned), received: Mutex::default() });
        let service = TraceServiceServer::new(Service(Arc::clone(&collector)));
        let router = axum::Router::new()
            .route_service("/opentelemetry.proto.collector.trace.v1.TraceService/Export", service);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binding a loopback port");
        let addr = listener.local_addr().expect("the receiver's address");
        listener.set_nonblocking(true).expect("a non-blocking listener");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(format!("otlp-receiver-{}", addr.port()))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("the receiver's runtime");
                runtime.block_on(async move {
                    let listener =
                        tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
                    // Not a graceful shutdown: an exporter may keep its connection open,
                    // and the receiver must stop when the test ends regardless.
                    tokio::select! {
                        _ = axum::serve(listener, router) => {}
                        _ = stopped => {}
                    }
                });
            })
            .expect("spawning the receiver thread");
        Self { addr, collector, stop: Some(stop), thread: Some(thread) }
    }

    /// `http://127.0.0.1:<port>`.
    pub(crate) fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address it listens on.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every accepted export request so far.
    pub(crate) fn received(&self) -> Vec<Received> {
        self.collector.received.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl Drop for OtlpReceiver {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            // The select above ends as soon as the stop arrives: the join is bounded.
            let _ = thread.join();
        }
    }
}
