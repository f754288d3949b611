//! A system clock that tests can move forward, so browser tests reach expiry without sleeping.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use renew_fetch::protocol::{Envelope, CODE_SUCCESS};
use renew_fetch::server::Clock;
use serde::Deserialize;
use serde_json::json;

/// The maximum single step of `POST /test/clock/advance`, in seconds: 30 days.
const MAX_STEP_SECS: u64 = 30 * 24 * 3600;

/// The system time plus an offset that only grows.
#[derive(Clone, Default)]
pub struct OffsetClock {
    offset_secs: Arc<AtomicU64>,
}

impl Clock for OffsetClock {
    fn now(&self) -> u64 {
        let system = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| elapsed.as_secs())
            .unwrap_or(0);
        system.saturating_add(self.offset_secs.load(Ordering::Relaxed))
    }
}

#[derive(Deserialize)]
struct Advance {
    secs: Option<String>,
}

/// Builds `POST /test/clock/advance?secs=N`, which moves the clock forward by N seconds and
/// returns the new time and the total offset.
pub fn router(clock: OffsetClock) -> Router {
    Router::new()
        .route("/test/clock/advance", post(advance))
        .with_state(clock)
}

async fn advance(State(clock): State<OffsetClock>, Query(query): Query<Advance>) -> Response {
    let text = query.secs.unwrap_or_default();
    let step = match text.parse::<u64>() {
        Ok(step) if step <= MAX_STEP_SECS => step,
        _ => {
            let msg =
                format!("invalid secs {text:?}: use a whole number from 0 to {MAX_STEP_SECS}");
            let body = Envelope::<()>::new(1002, msg, None);
            return (StatusCode::BAD_REQUEST, Json(body)).into_response();
        }
    };
    let offset = clock.offset_secs.fetch_add(step, Ordering::Relaxed) + step;
    tracing::info!(step, offset, "test clock moved forward");
    let data = json!({ "now": clock.now(), "offsetSecs": offset });
    Json(Envelope::new(CODE_SUCCESS, "ok", Some(data))).into_response()
}
