//! Command-line options of the demo server.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

/// Serves the renew-fetch demo page and a small token-protected API.
///
/// The token timings default to short values, so a renewal and an overdue replay happen within
/// a couple of minutes of logging in.
#[derive(Debug, Parser)]
#[command(name = "renew-fetch-demo", version)]
pub struct Options {
    /// Address to listen on. Only loopback addresses are accepted.
    #[arg(long, env = "RENEW_FETCH_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// Lifetime of each issued token, such as "2m" or "2h".
    #[arg(long, env = "RENEW_FETCH_TOKEN_LIFETIME", default_value = "2m", value_parser = parse_duration)]
    pub token_lifetime: Duration,

    /// Time before expiry in which a response carries a renewed token.
    #[arg(long, env = "RENEW_FETCH_RENEW_WINDOW", default_value = "1m", value_parser = parse_duration)]
    pub renew_window: Duration,

    /// Time after expiry in which the server responds overdue with a renewed token.
    #[arg(long, env = "RENEW_FETCH_GRACE_PERIOD", default_value = "2m", value_parser = parse_duration)]
    pub grace_period: Duration,

    /// Maximum length of a session, measured from the login.
    #[arg(long, env = "RENEW_FETCH_SESSION_CAP", default_value = "30m", value_parser = parse_duration)]
    pub session_cap: Duration,

    /// File that contains the HMAC secret (at least 32 bytes). Overrides RENEW_FETCH_SECRET.
    #[arg(long, env = "RENEW_FETCH_SECRET_FILE")]
    pub secret_file: Option<PathBuf>,

    /// Folder of the demo page.
    #[arg(long, env = "RENEW_FETCH_WWW", default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/www"))]
    pub www: PathBuf,

    /// Folder of the wasm-pack output, served under /pkg.
    #[arg(long, env = "RENEW_FETCH_PKG", default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/pkg"))]
    pub pkg: PathBuf,

    /// Mounts the misbehaving-server routes under /scenario and `POST /test/clock/advance`, for
    /// tests. Never turn this on for a server that others can reach.
    #[arg(long, env = "RENEW_FETCH_SCENARIOS")]
    pub scenarios: bool,
}

/// Parses a duration such as "90s", "2m" or "1h 30m".
fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text).map_err(|error| {
        format!("invalid duration {text:?}: {error}; write a number with a unit, such as 90s or 2m")
    })
}
