//! The renew-fetch demo server: the demo page, the wasm package and a token-protected API.

mod api;
mod cli;
mod clock;
mod scenarios;
mod secret;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use axum::http::{header, HeaderName, HeaderValue, Method};
use renew_fetch::server::AuthConfig;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;
use tracing_subscriber::EnvFilter;

use crate::cli::Options;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_ansi(std::io::stdout().is_terminal())
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let options = Options::try_parse_args(std::env::args_os()).unwrap_or_else(|error| error.exit());
    match run(options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("renew-fetch-demo: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(options: Options) -> Result<(), String> {
    if !options.addr.ip().is_loopback() {
        return Err(format!(
            "refusing to listen on {}: the demo server binds to loopback only, such as 127.0.0.1:8080",
            options.addr
        ));
    }
    let (secret, source) = secret::load(options.secret_file.as_deref())?;
    let clock = clock::OffsetClock::default();
    let config = AuthConfig::builder(secret)
        .token_lifetime(options.token_lifetime)
        .renew_window(options.renew_window)
        .grace_period(options.grace_period)
        .session_cap(options.session_cap)
        .clock(clock.clone())
        .build()
        .map_err(|error| {
            format!(
                "invalid token settings: {}",
                options.describe_config_error(&error)
            )
        })?;
    if let Some(missing) = missing_package(&options.pkg) {
        tracing::warn!(
            pkg = %options.pkg.display(),
            "wasm package not found: {} does not exist, so the demo page cannot load the \
             client; build it with bash scripts/build-pkg.sh, or point --pkg at the folder that \
             bash scripts/build-pkg.sh --out DIR wrote",
            missing.display()
        );
    }

    let mut app = api::router(config.clone());
    if options.scenarios {
        app = app
            .nest("/scenario", scenarios::router(config.clone()))
            .merge(clock::router(clock));
    }
    let app = app
        .nest_service("/pkg", ServeDir::new(&options.pkg))
        .fallback_service(ServeDir::new(&options.www))
        .layer(cors())
        .layer(TraceLayer::new_for_http());

    let listener = tokio::net::TcpListener::bind(options.addr)
        .await
        .map_err(|error| format!("failed to listen on {}: {error}", options.addr))?;
    let addr = listener
        .local_addr()
        .map_err(|error| format!("failed to read the listening address: {error}"))?;
    tracing::info!(
        secret = %source,
        token_lifetime = ?options.token_lifetime,
        renew_window = ?options.renew_window,
        grace_period = ?options.grace_period,
        session_cap = ?options.session_cap,
        scenarios = options.scenarios,
        "demo server configured"
    );
    println!("renew-fetch demo listening on http://{addr}");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|error| format!("server failed: {error}"))
}

/// Returns the path of the module that the demo page imports from `pkg`, when that file is
/// missing.
fn missing_package(pkg: &Path) -> Option<PathBuf> {
    let module = pkg.join("web").join("renew_fetch.js");
    (!module.is_file()).then_some(module)
}

/// Allows pages served from localhost or 127.0.0.1 on any port, and exposes `Authorization`
/// so that a page can read a renewed token.
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(|origin: &HeaderValue, _| {
            is_development_origin(origin.as_bytes())
        }))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("x-request-id"),
            HeaderName::from_static("x-test"),
        ])
        .expose_headers([header::AUTHORIZATION])
}

/// Returns true for `http://localhost[:port]` and `http://127.0.0.1[:port]`.
fn is_development_origin(origin: &[u8]) -> bool {
    let Ok(origin) = std::str::from_utf8(origin) else {
        return false;
    };
    let Some(host_port) = origin.strip_prefix("http://") else {
        return false;
    };
    let (host, port) = match host_port.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (host_port, None),
    };
    let port_ok = port.is_none_or(|port| !port.is_empty() && port.parse::<u16>().is_ok());
    matches!(host, "localhost" | "127.0.0.1") && port_ok
}

/// Waits for SIGTERM. If the signal cannot be watched, it logs why and never returns.
#[cfg(unix)]
async fn sigterm() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut terminate) => {
            terminate.recv().await;
        }
        Err(error) => {
            tracing::error!(%error, "failed to listen for SIGTERM; only Ctrl-C stops the server");
            std::future::pending::<()>().await;
        }
    }
}

/// Never returns: SIGTERM exists on Unix only.
#[cfg(not(unix))]
async fn sigterm() {
    std::future::pending::<()>().await;
}

/// Waits for Ctrl-C or SIGTERM, so that both stop the server gracefully.
async fn shutdown_signal() {
    let terminate = sigterm();
    tokio::select! {
        result = tokio::signal::ctrl_c() => {
            if let Err(error) = result {
                tracing::error!(%error, "failed to wait for Ctrl-C; stopping");
            }
        }
        () = terminate => {}
    }
    tracing::info!("demo server stopping");
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{is_development_origin, missing_package};

    #[test]
    fn missing_package_names_the_module() {
        let pkg = Path::new("/nonexistent/renew-fetch-pkg");
        assert_eq!(
            missing_package(pkg),
            Some(pkg.join("web/renew_fetch.js")),
            "module of a missing folder"
        );
    }

    #[test]
    fn missing_package_accepts_a_built_package() {
        let pkg = std::env::temp_dir().join(format!("renew-fetch-demo-pkg-{}", std::process::id()));
        std::fs::create_dir_all(pkg.join("web")).expect("create the package folder");
        std::fs::write(pkg.join("web/renew_fetch.js"), "").expect("write the module");
        let missing = missing_package(&pkg);
        std::fs::remove_dir_all(&pkg).expect("remove the package folder");
        assert_eq!(missing, None, "a folder with web/renew_fetch.js");
    }

    #[test]
    fn development_origin_accepts_loopback_hosts() {
        assert!(
            is_development_origin(b"http://localhost:5173"),
            "localhost with port"
        );
        assert!(
            is_development_origin(b"http://127.0.0.1:8080"),
            "127.0.0.1 with port"
        );
        assert!(
            is_development_origin(b"http://localhost"),
            "localhost without port"
        );
    }

    #[test]
    fn development_origin_rejects_other_hosts() {
        assert!(!is_development_origin(b"http://example.com"), "other host");
        assert!(
            !is_development_origin(b"http://localhost.example.com"),
            "suffix trick"
        );
        assert!(
            !is_development_origin(b"https://localhost:99999"),
            "https and bad port"
        );
        assert!(!is_development_origin(b"http://localhost:"), "empty port");
        assert!(!is_development_origin(b"null"), "opaque origin");
    }
}
