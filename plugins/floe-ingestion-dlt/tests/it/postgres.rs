//! A PostgreSQL server that refuses every login: a loopback that speaks the PostgreSQL
//! frontend/backend protocol 3.0 (postgresql.org/docs/current/protocol-flow.html and
//! protocol-message-formats.html) as far as authentication, checking what the client sends
//! against it, then answers the password with `ErrorResponse` SQLSTATE 28P01
//! (`invalid_password`) whose message echoes the password back, as a hostile server may.
#![expect(clippy::unwrap_used, reason = "test peer: a broken exchange should fail loudly")]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// `SSLRequest`'s request code, and protocol version 3.0.
const SSL_REQUEST: i32 = 80_877_103;
const PROTOCOL_3_0: i32 = 196_608;

/// What the server saw: one entry per login attempt (the user, the password).
type Attempts = Arc<Mutex<Vec<(String, String)>>>;

/// The server, on a free loopback port until dropped (its thread ends with the process).
pub(crate) struct RefusingPostgres {
    addr: SocketAddr,
    attempts: Attempts,
}

impl RefusingPostgres {
    pub(crate) fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let attempts = Attempts::default();
        let seen = Arc::clone(&attempts);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                if let Some(attempt) = refuse(stream) {
                    seen.lock().unwrap().push(attempt);
                }
            }
        });
        Self { addr, attempts }
    }

    /// A `SQLAlchemy` URL for the `pg8000` driver, with `password`.
    pub(crate) fn url(&self, password: &str) -> String {
        format!("postgresql+pg8000://floe:{password}@{}/shop", self.addr)
    }

    /// The login attempts so far.
    pub(crate) fn attempts(&self) -> Vec<(String, String)> {
        self.attempts.lock().unwrap().clone()
    }
}

fn read_i32(stream: &mut TcpStream) -> Option<i32> {
    let mut bytes = [0; 4];
    stream.read_exact(&mut bytes).ok()?;
    Some(i32::from_be_bytes(bytes))
}

fn read_body(stream: &mut TcpStream, length: i32) -> Option<Vec<u8>> {
    let mut body = vec![0; usize::try_from(length - 4).ok()?];
    stream.read_exact(&mut body).ok()?;
    Some(body)
}

/// One connection: optional `SSLRequest` (answered `N`), `StartupMessage` (protocol 3.0
/// with a `user`), `AuthenticationCleartextPassword`, `PasswordMessage`, then the refusal.
fn refuse(mut stream: TcpStream) -> Option<(String, String)> {
    let mut length = read_i32(&mut stream)?;
    let mut body = read_body(&mut stream, length)?;
    if body.len() == 4 && i32::from_be_bytes(body[..4].try_into().ok()?) == SSL_REQUEST {
        stream.write_all(b"N").ok()?;
        length = read_i32(&mut stream)?;
        body = read_body(&mut stream, length)?;
    }
    assert_eq!(i32::from_be_bytes(body[..4].try_into().ok()?), PROTOCOL_3_0, "StartupMessage");
    let params: Vec<String> =
        body[4..].split(|b| *b == 0).map(|p| String::from_utf8_lossy(p).into_owned()).collect();
    let user = params.iter().position(|p| p == "user").map(|i| params[i + 1].clone());
    let user = user.expect("a StartupMessage names the user");
    stream.write_all(b"R").ok()?;
    stream.write_all(&8_i32.to_be_bytes()).ok()?;
    stream.write_all(&3_i32.to_be_bytes()).ok()?;
    let mut tag = [0; 1];
    stream.read_exact(&mut tag).ok()?;
    assert_eq!(&tag, b"p", "a PasswordMessage answers AuthenticationCleartextPassword");
    let length = read_i32(&mut stream)?;
    let password = read_body(&mut stream, length)?;
    let password =
        String::from_utf8_lossy(password.strip_suffix(&[0]).unwrap_or(&password)).into_owned();
    let message =
        format!("password authentication failed for user \"{user}\" (password {password})");
    let mut fields = Vec::new();
    for (code, value) in
        [(b'S', "FATAL"), (b'V', "FATAL"), (b'C', "28P01"), (b'M', message.as_str())]
    {
        fields.push(code);
        fields.extend_from_slice(value.as_bytes());
        fields.push(0);
    }
    fields.push(0);
    stream.write_all(b"E").ok()?;
    stream.write_all(&(i32::try_from(fields.len()).ok()? + 4).to_be_bytes()).ok()?;
    stream.write_all(&fields).ok()?;
    Some((user, password))
}
