//! The renew-fetch demo server: the demo page, the wasm package and a token-protected API.

mod api;
mod cli;
mod clock;
mod scenarios;
mod secret;

use std::convert::Infallible;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use axum::body::Body;
use axum::http::request::Parts;
use axum::http::{header, HeaderName, HeaderValue, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use renew_fetch::server::AuthConfig;
use tower::ServiceExt;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;
use tracing_subscriber::EnvFilter;

use crate::cli::Options;
use crate::clock::OffsetClock;

/// The path prefixes on which a server with `--scenarios` also allows the opaque origin `null`
/// of a sandboxed frame: the scenario routes and the wasm package that a frame imports.
const OPAQUE_ORIGIN_PATHS: [&str; 2] = ["/scenario/", "/pkg/"];

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
    let clock = OffsetClock::default();
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
    if let Some(missing) = missing_package(&options.www, &options.pkg) {
        tracing::warn!(
            pkg = %options.pkg.display(),
            "wasm package not found: {} does not exist, so the demo page cannot load the \
             client; build it with bash scripts/build-pkg.sh, or point --pkg at the folder that \
             bash scripts/build-pkg.sh --out DIR wrote",
            missing.display()
        );
    }

    let app = app(&options, config, clock);

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

/// Builds the demo app: the API, the package under /pkg and the demo page, and with
/// `--scenarios` the scenario routes and the test clock.
fn app(options: &Options, config: AuthConfig, clock: OffsetClock) -> Router {
    let mut app = api::router(config.clone(), clock.clone());
    if options.scenarios {
        app = app
            .nest("/scenario", scenarios::router(config))
            .merge(clock::router(clock));
    }
    let index = options.www.join("index.html");
    let pages = tower::service_fn(move |request: Request<Body>| {
        let index = index.clone();
        async move {
            if !is_page_request(&request) {
                return Ok::<Response, Infallible>(StatusCode::NOT_FOUND.into_response());
            }
            let page = ServeFile::new(index).oneshot(request).await?;
            Ok(page.map(Body::new))
        }
    });
    app.nest_service("/pkg", ServeDir::new(&options.pkg))
        .fallback_service(ServeDir::new(&options.www).fallback(pages))
        .layer(cors(options.scenarios))
        .layer(TraceLayer::new_for_http())
}

/// Returns true for a browser's page load of a path that names no file, such as a reload of an
/// app's client-side route /items/42, which gets the served folder's index.html. A `fetch` call
/// accepts `*/*` and a script or style has a dot in its name, so both still get 404.
fn is_page_request(request: &Request<Body>) -> bool {
    let method = request.method();
    let accepts_html = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    let last = request.uri().path().rsplit('/').next().unwrap_or_default();
    (method == Method::GET || method == Method::HEAD) && accepts_html && !last.contains('.')
}

/// Returns the path of the module that the demo page imports from `pkg`, when that file is
/// missing.
fn missing_package(www: &Path, pkg: &Path) -> Option<PathBuf> {
    // Only the demo page loads the client from /pkg. An app served with --www brings its own.
    if www != Path::new(cli::DEMO_PAGE) {
        return None;
    }
    let module = pkg.join("web").join("renew_fetch.js");
    (!module.is_file()).then_some(module)
}

/// Allows pages served from localhost or 127.0.0.1 on any port, and exposes `Authorization`
/// so that a page can read a renewed token. With `scenarios`, it also allows the origin `null`
/// under [`OPAQUE_ORIGIN_PATHS`], so that the e2e tests can load the package in a sandboxed
/// frame and call the scenario routes from there.
fn cors(scenarios: bool) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(
            move |origin: &HeaderValue, request: &Parts| {
                is_development_origin(origin.as_bytes())
                    || (scenarios && is_opaque_origin_request(origin, request))
            },
        ))
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

/// Returns true when `origin` is `null` and the request's path starts with one of
/// [`OPAQUE_ORIGIN_PATHS`]. A sandboxed frame sends the origin `null`, and so does a browser for
/// a request that a redirect took through another origin.
fn is_opaque_origin_request(origin: &HeaderValue, request: &Parts) -> bool {
    let path = request.uri.path();
    origin == "null"
        && OPAQUE_ORIGIN_PATHS
            .iter()
            .any(|prefix| path.starts_with(prefix))
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
    use std::path::{Path, PathBuf};

    use axum::body::Body;
    use axum::http::header::{
        ACCEPT, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_ORIGIN,
        ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, CACHE_CONTROL,
        CONTENT_SECURITY_POLICY, CONTENT_TYPE, ORIGIN,
    };
    use axum::http::{HeaderMap, HeaderName, Method, Request, StatusCode};
    use renew_fetch::server::AuthConfig;
    use tower::ServiceExt;

    use super::{app, cli, is_development_origin, missing_package, OffsetClock, Options};

    /// A secret that the builder accepts: 36 bytes that repeat no run.
    const SECRET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";

    /// A temporary folder with the given files, removed when dropped.
    struct TempDir(PathBuf);

    impl TempDir {
        /// Creates the folder `renew-fetch-demo-NAME-PID` with each `(path, text)` of `files`.
        fn new(name: &str, files: &[(&str, &str)]) -> Self {
            let dir = std::env::temp_dir()
                .join(format!("renew-fetch-demo-{name}-{}", std::process::id()));
            for (path, text) in files {
                let file = dir.join(path);
                let parent = file.parent().expect("a file inside the folder");
                std::fs::create_dir_all(parent).expect("create the folder");
                std::fs::write(&file, text).expect("write the file");
            }
            Self(dir)
        }

        /// Creates a package folder with an empty web/renew_fetch.js.
        fn package(name: &str) -> Self {
            Self::new(name, &[("web/renew_fetch.js", "")])
        }

        fn path(&self) -> &str {
            self.0.to_str().expect("a UTF-8 temporary path")
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// Sends `method path` with the `Origin` header `origin` and the extra `headers` to the demo
    /// app that `args` configure, and returns the response's status and headers.
    async fn send(
        args: &[&str],
        method: Method,
        path: &str,
        origin: &str,
        headers: &[(axum::http::HeaderName, &str)],
    ) -> (StatusCode, HeaderMap) {
        let argv = std::iter::once("renew-fetch-demo").chain(args.iter().copied());
        let options = Options::try_parse_args(argv).expect("expected the arguments to parse");
        let config = AuthConfig::builder(SECRET)
            .build()
            .expect("expected the default settings to build");
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(ORIGIN, origin);
        for (name, value) in headers {
            request = request.header(name, *value);
        }
        let request = request.body(Body::empty()).expect("build the request");
        let response = app(&options, config, OffsetClock::default())
            .oneshot(request)
            .await
            .expect("the app never fails");
        (response.status(), response.headers().clone())
    }

    #[tokio::test]
    async fn login_response_not_cached() {
        let options =
            Options::try_parse_args(["renew-fetch-demo"]).expect("expected no arguments to parse");
        let config = AuthConfig::builder(SECRET)
            .build()
            .expect("expected the default settings to build");
        let request = Request::builder()
            .method(Method::POST)
            .uri("/api/login")
            .header(CONTENT_TYPE, "application/json")
            .body(Body::from(
                r#"{"username": "alice", "password": "alice-password"}"#,
            ))
            .expect("build the request");
        let response = app(&options, config, OffsetClock::default())
            .oneshot(request)
            .await
            .expect("the app never fails");
        assert_eq!(response.status(), StatusCode::OK, "status of the login");
        assert_eq!(
            response
                .headers()
                .get(CACHE_CONTROL)
                .and_then(|value| value.to_str().ok()),
            Some("no-store"),
            "expected the response with the token to be marked no-store"
        );
    }

    /// Returns the text of the header `name` in `headers`, or None.
    fn header_text(headers: &HeaderMap, name: HeaderName) -> Option<&str> {
        headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// Returns the `Access-Control-Allow-Origin` value of `headers`, or None.
    fn allowed_origin(headers: &HeaderMap) -> Option<&str> {
        header_text(headers, ACCESS_CONTROL_ALLOW_ORIGIN)
    }

    #[test]
    fn missing_package_names_the_module() {
        let pkg = Path::new("/nonexistent/renew-fetch-pkg");
        assert_eq!(
            missing_package(Path::new(cli::DEMO_PAGE), pkg),
            Some(pkg.join("web/renew_fetch.js")),
            "module of a missing folder"
        );
    }

    #[test]
    fn missing_package_ignored_for_other_www() {
        let pkg = Path::new("/nonexistent/renew-fetch-pkg");
        assert_eq!(
            missing_package(Path::new("/srv/my-app/dist"), pkg),
            None,
            "an app of its own does not load /pkg, so no warning"
        );
    }

    #[test]
    fn missing_package_accepts_a_built_package() {
        let pkg = std::env::temp_dir().join(format!("renew-fetch-demo-pkg-{}", std::process::id()));
        std::fs::create_dir_all(pkg.join("web")).expect("create the package folder");
        std::fs::write(pkg.join("web/renew_fetch.js"), "").expect("write the module");
        let missing = missing_package(Path::new(cli::DEMO_PAGE), &pkg);
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

    #[tokio::test]
    async fn scenarios_allow_null_origin_on_package() {
        let pkg = TempDir::package("null-package");
        let pkg_dir = pkg.path();
        let args = ["--scenarios", "--pkg", pkg_dir];
        let (status, headers) =
            send(&args, Method::GET, "/pkg/web/renew_fetch.js", "null", &[]).await;
        assert_eq!(status, StatusCode::OK, "status of the package module");
        assert_eq!(
            allowed_origin(&headers),
            Some("null"),
            "allowed origin of the package module"
        );
    }

    #[tokio::test]
    async fn scenarios_allow_null_origin_on_scenarios() {
        let (status, headers) =
            send(&["--scenarios"], Method::GET, "/scenario/ok", "null", &[]).await;
        assert_eq!(status, StatusCode::OK, "status of /scenario/ok");
        assert_eq!(
            allowed_origin(&headers),
            Some("null"),
            "allowed origin of /scenario/ok"
        );
    }

    #[tokio::test]
    async fn scenarios_preflight_allows_null_origin() {
        let preflight = [
            (ACCESS_CONTROL_REQUEST_METHOD, "GET"),
            (ACCESS_CONTROL_REQUEST_HEADERS, "authorization"),
        ];
        let (status, headers) = send(
            &["--scenarios"],
            Method::OPTIONS,
            "/scenario/echo-auth",
            "null",
            &preflight,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "status of the preflight");
        assert_eq!(
            allowed_origin(&headers),
            Some("null"),
            "allowed origin of the preflight"
        );
        let allowed_headers = headers
            .get(ACCESS_CONTROL_ALLOW_HEADERS)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        assert!(
            allowed_headers.contains("authorization"),
            "allowed headers of the preflight: {allowed_headers}"
        );
    }

    #[tokio::test]
    async fn scenarios_reject_null_origin_on_api() {
        let (status, headers) =
            send(&["--scenarios"], Method::GET, "/api/health", "null", &[]).await;
        assert_eq!(status, StatusCode::OK, "status of /api/health");
        assert_eq!(
            allowed_origin(&headers),
            None,
            "allowed origin of /api/health"
        );
    }

    #[tokio::test]
    async fn plain_demo_rejects_null_origin() {
        let pkg = TempDir::package("plain-package");
        let pkg_dir = pkg.path();
        let (status, headers) = send(
            &["--pkg", pkg_dir],
            Method::GET,
            "/pkg/web/renew_fetch.js",
            "null",
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "status of the package module");
        assert_eq!(
            allowed_origin(&headers),
            None,
            "allowed origin of the package module"
        );
    }

    #[tokio::test]
    async fn plain_demo_allows_development_origin() {
        let pkg = TempDir::package("development-package");
        let pkg_dir = pkg.path();
        let origin = "http://localhost:5173";
        let (_, headers) = send(
            &["--pkg", pkg_dir],
            Method::GET,
            "/pkg/web/renew_fetch.js",
            origin,
            &[],
        )
        .await;
        assert_eq!(
            allowed_origin(&headers),
            Some(origin),
            "allowed origin of the package module"
        );
    }

    #[tokio::test]
    async fn sandboxed_frame_page_is_sandboxed() {
        let (status, headers) = send(
            &["--scenarios"],
            Method::GET,
            "/scenario/sandboxed-frame",
            "http://127.0.0.1:8080",
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "status of the frame page");
        assert_eq!(
            header_text(&headers, CONTENT_TYPE),
            Some("text/html; charset=utf-8"),
            "content type of the frame page"
        );
        assert_eq!(
            header_text(&headers, CONTENT_SECURITY_POLICY),
            Some("sandbox allow-scripts"),
            "policy of the frame page"
        );
    }

    /// The Accept header of a browser's page load.
    const PAGE_ACCEPT: &str = "text/html,application/xhtml+xml,*/*;q=0.8";

    /// Sends `method path` with the Accept header `accept` to a demo app that serves a folder
    /// with an index.html, and returns the response's status and headers.
    async fn send_to_www(
        name: &str,
        method: Method,
        path: &str,
        accept: &str,
    ) -> (StatusCode, HeaderMap) {
        let www = TempDir::new(name, &[("index.html", "<!doctype html><p>app</p>")]);
        let args = ["--www", www.path()];
        send(
            &args,
            method,
            path,
            "http://127.0.0.1:8080",
            &[(ACCEPT, accept)],
        )
        .await
    }

    #[tokio::test]
    async fn client_route_reload_gets_index() {
        let (status, headers) = send_to_www("route", Method::GET, "/items/42", PAGE_ACCEPT).await;
        assert_eq!(status, StatusCode::OK, "status of a page load of /items/42");
        assert_eq!(
            header_text(&headers, CONTENT_TYPE),
            Some("text/html"),
            "content type of the index served for /items/42"
        );
    }

    #[tokio::test]
    async fn fetch_of_missing_path_gets_404() {
        let (status, _) = send_to_www("fetch", Method::GET, "/items/42", "*/*").await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "status of a fetch of /items/42"
        );
    }

    #[tokio::test]
    async fn missing_file_gets_404() {
        let (status, _) = send_to_www("file", Method::GET, "/assets/app.js", PAGE_ACCEPT).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "status of a missing script");
    }

    #[tokio::test]
    async fn page_post_to_missing_path_gets_405() {
        let (status, _) = send_to_www("post", Method::POST, "/items/42", PAGE_ACCEPT).await;
        assert_eq!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "status of a form post to /items/42, which serves no file"
        );
    }

    #[tokio::test]
    async fn plain_demo_has_no_sandboxed_frame() {
        let (status, _) = send(
            &[],
            Method::GET,
            "/scenario/sandboxed-frame",
            "http://127.0.0.1:8080",
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "status of the frame page");
    }
}
