//! A minimal axum app behind the renewal layer: a login route that issues tokens and a
//! protected route that reads the verified claims.
//!
//! Run it with `cargo run --example axum_server --features server`, then the commands below.
//! The layer's log lines go to stderr, at INFO and above unless `RUST_LOG` sets other levels:
//!
//! ```sh
//! curl -s -X POST http://127.0.0.1:3000/api/login -H 'content-type: application/json' \
//!   -d '{"username":"ada","password":"ada-password"}'
//! curl -s http://127.0.0.1:3000/api/profile -H "Authorization: Bearer $TOKEN"
//! ```

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use axum::extract::rejection::JsonRejection;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use renew_fetch::protocol::{Envelope, CODE_SUCCESS};
use renew_fetch::server::{AuthConfig, Claims, ConfigError};
use serde::Deserialize;
use serde_json::{json, Value};
use tracing_subscriber::EnvFilter;

/// The business code this app returns for a wrong username or password.
const CODE_BAD_CREDENTIALS: i64 = 1001;

/// The business code this app returns for a login body that is not the expected JSON.
const CODE_BAD_LOGIN_BODY: i64 = 1002;

/// The business code this app returns when it fails to issue a token: 500, as in the layer's
/// own internal-error responses.
const CODE_SERVER_ERROR: i64 = 500;

#[derive(Deserialize)]
struct Login {
    username: String,
    password: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    // A `main` that returns the error would print its `Debug` form, such as
    // `SecretTooShort { len: 5 }`. The `Display` form names the fix.
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    // A real app reads the secret from its configuration. It must be at least 32 bytes. Without
    // JWT_SECRET this example makes a random one, so its tokens stop working after a restart.
    let secret = match std::env::var("JWT_SECRET") {
        Ok(secret) => secret.into_bytes(),
        Err(_) => {
            let mut random = [0u8; 32];
            getrandom::fill(&mut random)
                .map_err(|error| format!("failed to make a random secret: {error}"))?;
            println!("JWT_SECRET is not set; using a random secret until the server stops");
            random.to_vec()
        }
    };
    let config = AuthConfig::builder(secret)
        .token_lifetime(Duration::from_secs(2 * 60 * 60))
        .renew_window(Duration::from_secs(30 * 60))
        .build()
        .map_err(|error| match error {
            ConfigError::NoCryptoProvider => error.to_string(),
            // The durations above are valid, so the secret is what the builder rejected.
            _ => format!("invalid JWT_SECRET: {error}"),
        })?;

    let login_config = config.clone();
    let login = move |body: Result<Json<Login>, JsonRejection>| async move {
        // axum rejects a body it cannot read with a plain-text response, which the client
        // would report as an http error, so this route responds with an envelope.
        let body = match body {
            Ok(Json(body)) => body,
            Err(rejection) => {
                let message = format!(
                    "invalid login body: send JSON {{\"username\": ..., \"password\": ...}} ({})",
                    rejection.body_text()
                );
                let envelope = Envelope::<Value>::new(CODE_BAD_LOGIN_BODY, message, None);
                return (StatusCode::BAD_REQUEST, Json(envelope)).into_response();
            }
        };
        // Check the password against your user store here.
        if body.password != format!("{}-password", body.username) {
            let envelope = Envelope::<Value>::new(CODE_BAD_CREDENTIALS, "wrong password", None);
            return (StatusCode::UNAUTHORIZED, Json(envelope)).into_response();
        }
        match login_config.issue_token(&body.username, &body.username) {
            Ok(token) => {
                let data = json!({ "token": token });
                // No cache may keep a response with a token, as RFC 6749 section 5.1 requires.
                (
                    [(header::CACHE_CONTROL, "no-store")],
                    Json(Envelope::new(CODE_SUCCESS, "ok", Some(data))),
                )
                    .into_response()
            }
            Err(error) => {
                eprintln!("failed to issue a token: {error}");
                let envelope = Envelope::<Value>::new(CODE_SERVER_ERROR, "login failed", None);
                (StatusCode::INTERNAL_SERVER_ERROR, Json(envelope)).into_response()
            }
        }
    };

    // Every JSON response is an envelope, because the client reads the code, not the status.
    let profile = |claims: Claims| async move {
        // The expiry that the layer enforces for the token that the request sent, which is
        // never later than its iat plus the configured lifetime. A renewed token on this
        // response expires later.
        let data = json!({ "username": claims.username, "expiresAt": claims.exp });
        Json(Envelope::new(CODE_SUCCESS, "ok", Some(data)))
    };

    let app = Router::new()
        .route("/api/profile", get(profile))
        .route_layer(config.layer())
        .route("/api/login", post(login));

    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
