//! The loopback server of the throughput benchmark.
//!
//! `GET /protected` runs behind the renewal layer and `GET /open` runs the same handler without
//! it, so the difference between their request rates is the cost of the layer under load.
//!
//! ```text
//! RENEW_FETCH_BENCH_SECRET=<32 bytes or more> \
//!     cargo run --profile bench --features server --example bench_server -- \
//!     --addr 127.0.0.1:0 --token-file PATH
//! ```
//!
//! At start it writes a token issued for the benchmark user to `PATH` (mode 0600) and prints
//! `listening on ADDR`. The token is valid for the default 2 hours, far from the renewal window
//! during a run. The layer keeps its default cache of verified tokens, so every request after the
//! first takes the cached path. It logs nothing per request. `scripts/bench.sh` starts it.

use std::fs::OpenOptions;
use std::io::Write;
use std::net::SocketAddr;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::process::ExitCode;

use axum::routing::get;
use axum::{Json, Router};
use renew_fetch::protocol::{Envelope, CODE_SUCCESS};
use renew_fetch::server::AuthConfig;
use serde::Serialize;

/// The variable that contains the HMAC secret, shared with the express server.
const SECRET_VARIABLE: &str = "RENEW_FETCH_BENCH_SECRET";

const USAGE: &str = "usage: bench_server --addr 127.0.0.1:PORT --token-file PATH";

/// The payload of both routes. The express server sends the same JSON.
#[derive(Serialize)]
struct Hello {
    ok: bool,
}

async fn hello() -> Json<Envelope<Hello>> {
    Json(Envelope::new(CODE_SUCCESS, "ok", Some(Hello { ok: true })))
}

struct Options {
    addr: SocketAddr,
    token_file: PathBuf,
}

fn parse_options() -> Result<Options, String> {
    let mut addr = None;
    let mut token_file = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| format!("{arg} needs a value; {USAGE}"))?;
        match arg.as_str() {
            "--addr" => {
                let parsed = value
                    .parse::<SocketAddr>()
                    .map_err(|e| format!("invalid --addr {value:?}: {e}; {USAGE}"))?;
                addr = Some(parsed);
            }
            "--token-file" => token_file = Some(PathBuf::from(value)),
            _ => return Err(format!("unknown option {arg}; {USAGE}")),
        }
    }
    let addr = addr.ok_or_else(|| format!("missing --addr; {USAGE}"))?;
    if !addr.ip().is_loopback() {
        return Err(format!(
            "refusing to listen on {addr}: the benchmark server binds to loopback only"
        ));
    }
    let token_file = token_file.ok_or_else(|| format!("missing --token-file; {USAGE}"))?;
    Ok(Options { addr, token_file })
}

/// Writes the token to `path`, readable by the owner only. The token is never printed.
fn write_token(path: &PathBuf, token: &str) -> Result<(), String> {
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("failed to create the token file {}: {e}", path.display()))?;
    file.write_all(token.as_bytes())
        .map_err(|e| format!("failed to write the token file {}: {e}", path.display()))
}

async fn run() -> Result<(), String> {
    let options = parse_options()?;
    let secret = std::env::var(SECRET_VARIABLE).map_err(|_| {
        format!("missing {SECRET_VARIABLE}: set it to a secret of 32 bytes or more")
    })?;
    let config = AuthConfig::builder(secret)
        .build()
        .map_err(|e| format!("invalid {SECRET_VARIABLE}: {e}"))?;
    let token = config
        .issue_token("1", "bench")
        .map_err(|e| format!("failed to issue the benchmark token: {e}"))?;
    write_token(&options.token_file, &token)?;

    let app = Router::new()
        .route("/protected", get(hello))
        .route_layer(config.layer())
        .route("/open", get(hello));
    let listener = tokio::net::TcpListener::bind(options.addr)
        .await
        .map_err(|e| format!("failed to listen on {}: {e}", options.addr))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("failed to read the listening address: {e}"))?;
    println!("listening on {addr}");
    axum::serve(listener, app)
        .await
        .map_err(|e| format!("the server failed: {e}"))
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bench_server: {message}");
            ExitCode::FAILURE
        }
    }
}
