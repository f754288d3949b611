//! A hand-written HTTP/1.1 responder on a second port of 127.0.0.1, for response headers that
//! hyper refuses to build: an `Authorization` value folded over two lines (CR LF and a space
//! inside the value, the obsolete line folding of HTTP/1.1) or one that contains a bare CR.
//!
//! - `GET /fold?status=S&key=K` sends `Authorization: <first half>\r\n <second half>`, where the
//!   halves are those of a fresh scenario token.
//! - `GET /cr?status=S&key=K` sends `Authorization: renewed-before-cr\rafter-cr`, a fixed value,
//!   so that a test can tell what the browser made of it.
//!
//! The body is the overdue envelope when S is 401, and a success envelope otherwise. `OPTIONS` answers a CORS preflight, every response
//! allows the request's `Origin` and exposes `Authorization`, and every connection is closed
//! after one response.

use std::io;
use std::time::Duration;

use serde_json::json;
use tokio::net::{TcpListener, TcpStream};

use super::{ScenarioQuery, ScenarioState};

/// The maximum size of a request head that the responder reads.
const MAX_HEAD_BYTES: usize = 16 * 1024;

/// How long the responder waits for a complete request head before it closes the connection.
const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// Binds a free port of 127.0.0.1, starts serving on it, and returns the port.
pub(super) fn start(state: ScenarioState) -> io::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let port = listener.local_addr()?.port();
    let listener = TcpListener::from_std(listener)?;
    tokio::spawn(accept_loop(listener, state));
    tracing::info!(port, "raw HTTP scenario listener started");
    Ok(port)
}

async fn accept_loop(listener: TcpListener, state: ScenarioState) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                tokio::spawn(serve(stream, state.clone()));
            }
            Err(error) => {
                tracing::warn!(%error, "raw HTTP scenario listener failed to accept a connection");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

async fn serve(stream: TcpStream, state: ScenarioState) {
    let head = match tokio::time::timeout(READ_TIMEOUT, read_head(&stream)).await {
        Ok(Ok(head)) => head,
        Ok(Err(error)) => {
            tracing::warn!(%error, "raw HTTP scenario listener failed to read a request");
            return;
        }
        Err(_) => {
            tracing::warn!("raw HTTP scenario listener timed out reading a request head");
            return;
        }
    };
    let response = respond(&state, &String::from_utf8_lossy(&head));
    if let Err(error) = write_all(&stream, response.as_bytes()).await {
        tracing::warn!(%error, "raw HTTP scenario listener failed to write a response");
    }
}

/// Reads until the blank line that ends the request head, the peer closes, or the head grows
/// past `MAX_HEAD_BYTES`.
async fn read_head(stream: &TcpStream) -> io::Result<Vec<u8>> {
    let mut head = Vec::new();
    let mut buffer = [0u8; 2048];
    loop {
        stream.readable().await?;
        match stream.try_read(&mut buffer) {
            Ok(0) => return Ok(head),
            Ok(read) => {
                head.extend_from_slice(&buffer[..read]);
                if head.windows(4).any(|window| window == b"\r\n\r\n") {
                    return Ok(head);
                }
                if head.len() > MAX_HEAD_BYTES {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("request head longer than {MAX_HEAD_BYTES} bytes"),
                    ));
                }
            }
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
            Err(error) => return Err(error),
        }
    }
}

async fn write_all(stream: &TcpStream, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        stream.writable().await?;
        match stream.try_write(bytes) {
            Ok(written) => bytes = &bytes[written..],
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

/// Builds the whole response to the request whose head is `head`.
fn respond(state: &ScenarioState, head: &str) -> String {
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default();
    let target = request_line.next().unwrap_or_default();
    let origin = lines
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("origin"))
        .map(|(_, value)| value.trim())
        .filter(|value| value.bytes().all(|byte| byte.is_ascii_graphic()))
        .unwrap_or("null");
    let cors = format!(
        "Access-Control-Allow-Origin: {origin}\r\nAccess-Control-Expose-Headers: Authorization\r\n\
         Vary: Origin\r\n"
    );

    if method == "OPTIONS" {
        return format!(
            "HTTP/1.1 204 No Content\r\n{cors}Access-Control-Allow-Methods: GET\r\n\
             Access-Control-Allow-Headers: authorization, content-type, x-test\r\n\
             Content-Length: 0\r\nConnection: close\r\n\r\n"
        );
    }

    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let parameter = |name: &str| {
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.to_owned())
    };
    state.record(&ScenarioQuery {
        key: parameter("key"),
        ..ScenarioQuery::default()
    });

    let header = match path {
        "/fold" => {
            let Some(token) = state.fresh_token() else {
                return plain_response("500 Internal Server Error", &cors, "token issue failed");
            };
            let (first, second) = token.split_at(token.len() / 2);
            format!("Authorization: {first}\r\n {second}\r\n")
        }
        "/cr" => "Authorization: renewed-before-cr\rafter-cr\r\n".to_owned(),
        _ => return plain_response("404 Not Found", &cors, "no such raw HTTP scenario"),
    };
    let (status_line, code, msg) = match parameter("status").as_deref() {
        Some("401") => ("401 Unauthorized", state.codes.overdue, "token overdue"),
        _ => ("200 OK", state.codes.success, "ok"),
    };
    let body = json!({ "code": code, "msg": msg, "data": null }).to_string();
    format!(
        "HTTP/1.1 {status_line}\r\n{cors}{header}Content-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn plain_response(status_line: &str, cors: &str, text: &str) -> String {
    format!(
        "HTTP/1.1 {status_line}\r\n{cors}Content-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    )
}
