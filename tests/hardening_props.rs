//! Property tests of renewal: for any timings and any sequence of clock steps and requests, the
//! layer keeps the session cap, the login time and unique jtis, and never renews a token that
//! expired past the grace period.
//!
//! Each case logs in on a manual clock, then sends each step's token through the real Router and
//! layer and reads the renewed token from the `Authorization` response header, as a client
//! would. `PROPTEST_CASES` sets the number of cases of each property (default 64).
#![cfg(all(feature = "server", not(target_arch = "wasm32")))]

mod server_support;

use std::collections::HashSet;

use axum::http::StatusCode;
use proptest::prelude::*;
use proptest::test_runner::Config;
use renew_fetch::server::{Claims, ManualClock};
use server_support::*;

/// The maximum number of requests in one case.
const MAX_STEPS: usize = 40;

/// The layer settings of one case, in seconds.
#[derive(Clone, Debug)]
struct Timings {
    lifetime: u64,
    window: u64,
    grace: u64,
    cap: u64,
    leeway: u64,
}

/// One request of a case: how far the clock moves first, and which token is sent.
#[derive(Clone, Debug)]
struct Step {
    /// The clock step, in thousandths of the lifetime plus the grace period, so that steps
    /// reach the window, the grace period and past it whatever the timings.
    step_permille: u64,
    /// The token choice: a multiple of 4 sends an older token than the newest, as a client with
    /// a stale copy (another tab, a retry) would.
    pick: u8,
}

/// What one request sent and got back.
#[derive(Debug)]
struct Exchange {
    now: u64,
    sent: Claims,
    status: StatusCode,
    code: Option<i64>,
    renewed: Option<Claims>,
}

fn timings() -> impl Strategy<Value = Timings> {
    (60u64..=4 * HOUR).prop_flat_map(|lifetime| {
        (
            Just(lifetime),
            0..lifetime,
            0..=HOUR,
            lifetime..=lifetime * 30,
            0..lifetime.min(120),
        )
            .prop_map(|(lifetime, window, grace, cap, leeway)| {
                // The builder rejects a grace period longer than the lifetime, and a cap equal
                // to the lifetime unless the window and the grace period are zero.
                let grace = grace.min(lifetime);
                let renews = window > 0 || grace > 0;
                let cap = if cap == lifetime && renews {
                    cap + 1
                } else {
                    cap
                };
                Timings {
                    lifetime,
                    window,
                    grace,
                    cap,
                    leeway,
                }
            })
    })
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(
        (0u64..=1_300, any::<u8>()).prop_map(|(step_permille, pick)| Step {
            step_permille,
            pick,
        }),
        1..=MAX_STEPS,
    )
}

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(64);
    Config {
        cases,
        // Failures print the shrunk input. Nothing is written next to the tests.
        failure_persistence: None,
        ..Config::default()
    }
}

/// Logs in at [`T0`] and runs `steps` against a layer with `timings`.
fn run_session(timings: &Timings, steps: &[Step]) -> Vec<Exchange> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime builds");
    runtime.block_on(async {
        let clock = ManualClock::new(T0);
        let config = builder(&clock)
            .token_lifetime(secs(timings.lifetime))
            .renew_window(secs(timings.window))
            .grace_period(secs(timings.grace))
            .session_cap(secs(timings.cap))
            .leeway(secs(timings.leeway))
            .build()
            .expect("the generated timings build");
        let app = app(&config, &Calls::default());
        let mut tokens = vec![config
            .issue_token("42", "ada")
            .expect("login issues a token")];
        let mut exchanges = Vec::new();
        for step in steps {
            clock.advance(secs(
                (timings.lifetime + timings.grace) * step.step_permille / 1_000,
            ));
            let token = if step.pick % 4 == 0 {
                tokens[usize::from(step.pick) % tokens.len()].clone()
            } else {
                tokens[tokens.len() - 1].clone()
            };
            let reply = send(&app, get_with("/api/profile", &token)).await;
            let renewed = reply.header("authorization").map(str::to_owned);
            let code = (reply.status != StatusCode::OK).then(|| reply.code());
            exchanges.push(Exchange {
                now: clock.now(),
                sent: claims_of(&token),
                status: reply.status,
                code,
                renewed: renewed.as_deref().map(claims_of),
            });
            tokens.extend(renewed);
        }
        exchanges
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn renewed_exp_never_passes_the_cap(timings in timings(), steps in steps()) {
        for exchange in run_session(&timings, &steps) {
            prop_assert!(
                !exchange.status.is_server_error(),
                "expected no 5xx, got {} at {}",
                exchange.status,
                exchange.now
            );
            if let Some(renewed) = &exchange.renewed {
                prop_assert!(
                    renewed.exp <= T0 + timings.cap,
                    "expected exp {} within the cap {}",
                    renewed.exp,
                    T0 + timings.cap
                );
            }
        }
    }

    #[test]
    fn renewal_keeps_the_login_time(timings in timings(), steps in steps()) {
        for exchange in run_session(&timings, &steps) {
            if let Some(renewed) = &exchange.renewed {
                prop_assert_eq!(
                    renewed.auth_time,
                    T0,
                    "expected the login time kept at {}",
                    exchange.now
                );
            }
        }
    }

    #[test]
    fn renewal_never_repeats_a_jti(timings in timings(), steps in steps()) {
        let exchanges = run_session(&timings, &steps);
        let mut seen = HashSet::new();
        if let Some(first) = exchanges.first() {
            // The first request always sends the login token.
            seen.insert(first.sent.jti.clone());
        }
        for exchange in &exchanges {
            if let Some(renewed) = &exchange.renewed {
                prop_assert!(
                    seen.insert(renewed.jti.clone()),
                    "expected a new jti at {}, got a repeat",
                    exchange.now
                );
            }
        }
    }

    #[test]
    fn expired_past_grace_is_never_renewed(timings in timings(), steps in steps()) {
        for exchange in run_session(&timings, &steps) {
            let deadline = exchange.sent.exp + timings.leeway + timings.grace;
            if exchange.now > deadline {
                prop_assert!(
                    exchange.renewed.is_none(),
                    "expected no renewal at {} of a token past grace at {}",
                    exchange.now,
                    deadline
                );
                prop_assert_eq!(
                    exchange.code,
                    Some(1007),
                    "expected invalid-token at {} past grace at {}",
                    exchange.now,
                    deadline
                );
            }
        }
    }
}

/// Guards the properties against passing vacuously: the step strategy reaches renewals in the
/// window, overdue renewals and tokens past grace.
#[test]
fn sessions_reach_every_zone() {
    let timings = Timings {
        lifetime: LIFETIME,
        window: WINDOW,
        grace: GRACE,
        cap: CAP,
        leeway: 0,
    };
    // 700‰ of 130 minutes is 91 minutes, inside the window. 960‰ is 124.8 minutes, which is
    // past the next token's exp and inside the grace period. 1,300‰ then ends up past grace.
    let steps: Vec<Step> = [700, 960, 1_300]
        .into_iter()
        .map(|step_permille| Step {
            step_permille,
            pick: 1,
        })
        .collect();
    let exchanges = run_session(&timings, &steps);
    assert_eq!(
        exchanges[0].status,
        StatusCode::OK,
        "expected a pass in the window"
    );
    assert!(
        exchanges[0].renewed.is_some(),
        "expected a renewal in the window"
    );
    assert_eq!(
        exchanges[1].code,
        Some(401),
        "expected overdue inside the grace period"
    );
    assert!(
        exchanges[1].renewed.is_some(),
        "expected an overdue renewal"
    );
    assert_eq!(
        exchanges[2].code,
        Some(1007),
        "expected invalid-token past grace"
    );
}
