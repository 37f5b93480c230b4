//! A hostile SMTP server on loopback, for the e-mail plugin's rows: SMTP is not HTTP, so
//! the testkit's `HostilePeer` cannot play it. It speaks just enough of RFC 5321 and RFC
//! 4954 (greeting, `EHLO`, `AUTH PLAIN` and `AUTH LOGIN`, `QUIT`) to misbehave the way a
//! real server can:
//! - [`SmtpBehaviour::EchoAuth`]: refuses `AUTH` with a 535 that quotes what it received,
//!   raw (base64) and decoded;
//! - [`SmtpBehaviour::Dribble`]: starts its greeting, then sends one byte every 50 ms and
//!   never ends the line; [`SmtpBehaviour::Stall`]: accepts and says nothing;
//!   [`SmtpBehaviour::EndlessReply`]: answers `EHLO` with a multi-line reply that goes on
//!   for 50 MB;
//! - [`SmtpBehaviour::CloseMidReply`]: closes the connection in the middle of its `EHLO`
//!   reply.
//!
//! It serves on a thread of its own until dropped.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use base64::Engine as _;
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::{TcpListener, TcpStream};

use super::Hostile;

/// How the server misbehaves.
#[derive(Clone, Copy, Debug)]
pub(crate) enum SmtpBehaviour {
    /// `535` to `AUTH`, quoting the credentials received.
    EchoAuth,
    /// The greeting's first bytes, then one byte every 50 ms, never a line end.
    Dribble,
    /// No greeting at all.
    Stall,
    /// An `EHLO` reply of 50 MB of continuation lines.
    EndlessReply,
    /// The connection closes in the middle of the `EHLO` reply.
    CloseMidReply,
}

/// A running hostile SMTP server.
pub(crate) struct HostileSmtp {
    addr: SocketAddr,
    answers: Arc<AtomicUsize>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl HostileSmtp {
    /// Serves `behaviour` on a free loopback port.
    pub(crate) fn start(behaviour: SmtpBehaviour) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        listener.set_nonblocking(true).expect("a non-blocking listener");
        let addr = listener.local_addr().expect("its address");
        let answers = Arc::new(AtomicUsize::new(0));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let counted = Arc::clone(&answers);
        std::thread::Builder::new()
            .name("hostile-smtp".to_owned())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("the server's runtime");
                runtime.block_on(async move {
                    let listener = TcpListener::from_std(listener).expect("a tokio listener");
                    let serve = async {
                        while let Ok((stream, _)) = listener.accept().await {
                            let counted = Arc::clone(&counted);
                            tokio::spawn(async move {
                                let _ = serve(stream, behaviour, &counted).await;
                            });
                        }
                    };
                    tokio::select! {
                        () = serve => {}
                        _ = stopped => {}
                    }
                });
                // Dropping the runtime ends every connection still open.
            })
            .expect("the server's thread");
        Self { addr, answers, stop: Some(stop) }
    }
}

impl Drop for HostileSmtp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Hostile for HostileSmtp {
    fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    fn hostile_answers(&self) -> usize {
        self.answers.load(Ordering::SeqCst)
    }

    fn redirect_target_contacted(&self) -> bool {
        false
    }
}

/// `text` decoded from base64, NULs shown as spaces (`AUTH PLAIN`'s separators).
fn decoded(text: &str) -> String {
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map(|bytes| String::from_utf8_lossy(&bytes).replace('\0', " "))
        .unwrap_or_default()
}

async fn serve(
    stream: TcpStream,
    behaviour: SmtpBehaviour,
    answers: &AtomicUsize,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    match behaviour {
        SmtpBehaviour::Stall => {
            answers.fetch_add(1, Ordering::SeqCst);
            // Hold the connection open, saying nothing, until the client leaves.
            while lines.next_line().await?.is_some() {}
            return Ok(());
        }
        SmtpBehaviour::Dribble => {
            answers.fetch_add(1, Ordering::SeqCst);
            write.write_all(b"220 ").await?;
            loop {
                tokio::time::sleep(Duration::from_millis(50)).await;
                write.write_all(b"h").await?;
            }
        }
        _ => {}
    }
    write.write_all(b"220 hostile.invalid ESMTP\r\n").await?;
    while let Some(line) = lines.next_line().await? {
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            match behaviour {
                SmtpBehaviour::EndlessReply => {
                    answers.fetch_add(1, Ordering::SeqCst);
                    let filler = format!("250-{}\r\n", "x".repeat(1020));
                    for _ in 0..(50_000_000 / filler.len()) {
                        write.write_all(filler.as_bytes()).await?;
                    }
                    write.write_all(b"250 HELP\r\n").await?;
                }
                SmtpBehaviour::CloseMidReply => {
                    answers.fetch_add(1, Ordering::SeqCst);
                    write.write_all(b"250-hostile.invalid\r\n250-AUTH PL").await?;
                    return Ok(());
                }
                _ => write.write_all(b"250-hostile.invalid\r\n250 AUTH PLAIN LOGIN\r\n").await?,
            }
        } else if upper.starts_with("AUTH PLAIN") {
            let mut raw = line.get(10..).unwrap_or_default().trim().to_owned();
            if raw.is_empty() {
                write.write_all(b"334 \r\n").await?;
                raw = lines.next_line().await?.unwrap_or_default();
            }
            answers.fetch_add(1, Ordering::SeqCst);
            let reply =
                format!("535 5.7.8 AUTH PLAIN {raw} refused: no account for{}\r\n", decoded(&raw));
            write.write_all(reply.as_bytes()).await?;
        } else if upper.starts_with("AUTH LOGIN") {
            write.write_all(b"334 VXNlcm5hbWU6\r\n").await?;
            let user = lines.next_line().await?.unwrap_or_default();
            write.write_all(b"334 UGFzc3dvcmQ6\r\n").await?;
            let password = lines.next_line().await?.unwrap_or_default();
            answers.fetch_add(1, Ordering::SeqCst);
            let reply = format!(
                "535 5.7.8 AUTH LOGIN {user} {password} refused: {} / {}\r\n",
                decoded(&user),
                decoded(&password)
            );
            write.write_all(reply.as_bytes()).await?;
        } else if upper.starts_with("QUIT") {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            // MAIL, RCPT, NOOP, RSET: the row's plugin authenticates before any of them.
            write.write_all(b"250 OK\r\n").await?;
        }
    }
    Ok(())
}
