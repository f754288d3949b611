//! The replay policy: what a call does after it reads an envelope.
//!
//! The server responds to a token that expired within its grace period with the overdue code and a
//! renewed token, and the request never reached the handler, so replaying it is safe. A call
//! also replays when it was sent with an older token than the one now stored, because another
//! call renewed the token while this one was in flight. Replays are counted per call.
//!
//! # Examples
//!
//! ```
//! use renew_fetch::client::replay::{BusinessCodes, Decision, Renewed, ReplayPolicy, Reply};
//!
//! let policy = ReplayPolicy::new(BusinessCodes::default(), 5);
//! let reply = Reply {
//!     code: 401,
//!     renewed: Renewed::Valid,
//!     moved_by_others: false,
//!     sent_token: Some("old"),
//!     current_token: Some("new"),
//!     in_session: true,
//! };
//! assert_eq!(policy.decide(&reply, 0), Decision::Replay);
//! assert_eq!(policy.decide(&reply, 5), Decision::RenewalExhausted);
//! ```

use crate::protocol::{token_from_header, Codes, BEARER_SCHEME, MAX_AUTHORIZATION_LEN};

/// The default number of replays per call: 5.
pub const DEFAULT_MAX_RENEW_RETRIES: u32 = 5;

/// The business codes that the client acts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusinessCodes {
    /// The code of a successful response. Default: 200.
    pub success: i64,
    /// The code that makes the client store the renewed token and replay. Default: 401.
    pub overdue: i64,
    /// The codes after which the user has to log in again. Default: 1006 and 1007.
    pub login_required: Vec<i64>,
}

impl Default for BusinessCodes {
    fn default() -> Self {
        let codes = Codes::default();
        Self {
            success: codes.success,
            overdue: codes.overdue,
            login_required: codes.login_required().to_vec(),
        }
    }
}

/// The renewed-token header of a response, as the client found it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Renewed {
    /// The response had no renewed-token header, or the browser did not expose it.
    Absent,
    /// The header held a usable token, which the client has already stored.
    Valid,
    /// The header was empty or its token contained anything but visible ASCII.
    Invalid,
}

/// Reads a renewed-token header value: the token, raw or after `Bearer `, and what the header
/// was. A token with anything but visible ASCII in it, or an empty one, is
/// [`Renewed::Invalid`] and yields no token.
pub fn read_renewed(header: Option<&str>) -> (Renewed, Option<&str>) {
    match header {
        None => (Renewed::Absent, None),
        Some(value) => match token_from_header(value) {
            Some(token) => (Renewed::Valid, Some(token)),
            None => (Renewed::Invalid, None),
        },
    }
}

/// Reads a renewed-token header value like [`read_renewed`], and also after the client's own
/// auth scheme, such as `Token abc` for the scheme `Token`. The whole value has the length limit
/// of [`token_from_header`], and after the client's scheme comes the token alone.
pub fn read_renewed_in_scheme<'a>(
    header: Option<&'a str>,
    scheme: &str,
) -> (Renewed, Option<&'a str>) {
    let own = !scheme.is_empty() && !scheme.eq_ignore_ascii_case(BEARER_SCHEME);
    let read = match header.filter(|value| own && value.len() <= MAX_AUTHORIZATION_LEN) {
        Some(value) => match value.split_once(' ') {
            // token_from_header would take a second scheme off, as in "Token Bearer x".
            Some((word, rest)) if word.eq_ignore_ascii_case(scheme) => {
                match token_from_header(rest) {
                    Some(token) if token.len() == rest.len() => (Renewed::Valid, Some(token)),
                    _ => (Renewed::Invalid, None),
                }
            }
            _ => read_renewed(header),
        },
        None => read_renewed(header),
    };
    // The token goes out after the scheme and a space, within the same limit, and the client's
    // scheme name alone is no token.
    let sent_len = |token: &str| {
        token.len()
            + if scheme.is_empty() {
                0
            } else {
                scheme.len() + 1
            }
    };
    match read {
        (Renewed::Valid, Some(token))
            if sent_len(token) > MAX_AUTHORIZATION_LEN
                || token.trim_end_matches('=').eq_ignore_ascii_case(scheme) =>
        {
            (Renewed::Invalid, None)
        }
        read => read,
    }
}

/// The facts about one response that the policy decides on.
#[derive(Clone, Copy, Debug)]
pub struct Reply<'a> {
    /// The envelope's business code.
    pub code: i64,
    /// The renewed-token header of the response.
    pub renewed: Renewed,
    /// True when the stored token changed after the request was sent, other than by this
    /// response's renewed token: by setToken, clearToken, another call or another tab.
    pub moved_by_others: bool,
    /// The token that the request was sent with.
    pub sent_token: Option<&'a str>,
    /// The token stored now, after any renewed token of this response was stored.
    pub current_token: Option<&'a str>,
    /// False when the request could not carry the client's token: its origin gets none, a
    /// redirect led to another origin, or the caller set the auth header itself. Its overdue
    /// and login-required codes are then not about the client's session.
    pub in_session: bool,
}

/// The next step of a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// The envelope is the call's result: success or a business error.
    Settle,
    /// Send the same request again with the current token.
    Replay,
    /// The call would replay, but it has used all its replays.
    RenewalExhausted,
    /// The user has to log in again.
    LoginRequired {
        /// True when the code was overdue but no renewed token came with it. The usual cause is
        /// a cross-origin response whose `Access-Control-Expose-Headers` leaves out the header.
        header_missing: bool,
    },
    /// The code was overdue and the renewed-token header was malformed.
    InvalidRenewedToken,
}

/// The replay policy of one client: its business codes and its replay budget per call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplayPolicy {
    codes: BusinessCodes,
    max_retries: u32,
}

impl ReplayPolicy {
    /// Creates a policy that replays a call at most `max_retries` times.
    pub fn new(codes: BusinessCodes, max_retries: u32) -> Self {
        Self { codes, max_retries }
    }

    /// Returns the business codes.
    pub fn codes(&self) -> &BusinessCodes {
        &self.codes
    }

    /// Returns the maximum number of replays per call.
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// Decides what a call does with `reply`, after `replays_done` replays of that call.
    pub fn decide(&self, reply: &Reply<'_>, replays_done: u32) -> Decision {
        let overdue = reply.code == self.codes.overdue;
        let login = self.codes.login_required.contains(&reply.code);
        if !reply.in_session || (!overdue && !login) {
            return Decision::Settle;
        }

        // The token that the call sent was cleared since, by clearToken or another tab's logout.
        // A replay would go without a token and get a login-required reply, so the call ends here.
        if reply.sent_token.is_some() && reply.current_token.is_none() {
            return Decision::LoginRequired {
                header_missing: false,
            };
        }

        // A login-required reply may carry a token, which is stored like any renewed token. Only
        // a token that another call or tab stored makes the reply stale.
        let token_moved = reply.moved_by_others
            && reply.current_token.is_some()
            && reply.current_token != reply.sent_token;
        // A renewed token counts only as the successor of a token that the call sent. A call
        // sent without one stores none, so replaying it would send no token again.
        let renewed_here = overdue && reply.renewed == Renewed::Valid && reply.sent_token.is_some();
        if token_moved || renewed_here {
            return if replays_done < self.max_retries {
                Decision::Replay
            } else {
                Decision::RenewalExhausted
            };
        }

        match (overdue, reply.renewed) {
            _ if reply.sent_token.is_none() => Decision::LoginRequired {
                header_missing: false,
            },
            (true, Renewed::Invalid) => Decision::InvalidRenewedToken,
            (true, _) => Decision::LoginRequired {
                header_missing: true,
            },
            (false, _) => Decision::LoginRequired {
                header_missing: false,
            },
        }
    }
}

impl Default for ReplayPolicy {
    fn default() -> Self {
        Self::new(BusinessCodes::default(), DEFAULT_MAX_RENEW_RETRIES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply<'a>(
        code: i64,
        renewed: Renewed,
        sent: Option<&'a str>,
        now: Option<&'a str>,
    ) -> Reply<'a> {
        Reply {
            code,
            renewed,
            moved_by_others: sent != now,
            sent_token: sent,
            current_token: now,
            in_session: true,
        }
    }

    #[test]
    fn read_renewed_accepts_raw_token() {
        assert_eq!(
            read_renewed(Some("a.b.c")),
            (Renewed::Valid, Some("a.b.c")),
            "raw JWT"
        );
    }

    #[test]
    fn read_renewed_strips_bearer_prefix() {
        assert_eq!(
            read_renewed(Some("Bearer a.b.c")),
            (Renewed::Valid, Some("a.b.c")),
            "Bearer prefix removed"
        );
        assert_eq!(
            read_renewed(Some("bearer a.b.c")),
            (Renewed::Valid, Some("a.b.c")),
            "scheme matched without regard to case"
        );
    }

    #[test]
    fn read_renewed_in_own_scheme() {
        assert_eq!(
            read_renewed_in_scheme(Some("Token a.b.c"), "Token"),
            (Renewed::Valid, Some("a.b.c")),
            "the client's own scheme removed"
        );
        assert_eq!(
            read_renewed_in_scheme(Some("Bearer a.b.c"), "Token"),
            (Renewed::Valid, Some("a.b.c")),
            "Bearer read with any scheme"
        );
        assert_eq!(
            read_renewed_in_scheme(Some("Token a.b.c"), ""),
            (Renewed::Invalid, None),
            "no scheme to remove for a raw token"
        );
    }

    #[test]
    fn read_renewed_in_scheme_rejects_two_schemes() {
        for (value, scheme) in [
            ("Bearer Bearer x", "Bearer"),
            ("bearer BEARER x", "Bearer"),
            ("Token Bearer x", "Token"),
            ("Token Token x", "Token"),
            ("Bearer Token x", "Token"),
        ] {
            assert_eq!(
                read_renewed_in_scheme(Some(value), scheme),
                (Renewed::Invalid, None),
                "{value} with the scheme {scheme}: one scheme at most"
            );
        }
    }

    #[test]
    fn read_renewed_in_scheme_limits_sent_value() {
        let token = "a".repeat(MAX_AUTHORIZATION_LEN - "Bearer ".len());
        assert_eq!(
            read_renewed_in_scheme(Some(&token), "Bearer"),
            (Renewed::Valid, Some(token.as_str())),
            "a token that fits after Bearer and a space"
        );
        let longer = format!("{token}a");
        assert_eq!(
            read_renewed_in_scheme(Some(&longer), "Bearer"),
            (Renewed::Invalid, None),
            "a raw token that would not fit after Bearer and a space"
        );
        assert_eq!(
            read_renewed_in_scheme(Some(&longer), ""),
            (Renewed::Valid, Some(longer.as_str())),
            "a token sent without a scheme has the whole limit"
        );
    }

    #[test]
    fn read_renewed_rejects_own_scheme_name() {
        for value in ["JWT", "jwt JWT", "Bearer JWT"] {
            assert_eq!(
                read_renewed_in_scheme(Some(value), "JWT"),
                (Renewed::Invalid, None),
                "{value}: the client's scheme name alone is no token"
            );
        }
    }

    #[test]
    fn read_renewed_in_scheme_limits_whole_value() {
        let token = "a".repeat(MAX_AUTHORIZATION_LEN);
        for scheme in ["Token", "Bearer"] {
            let value = format!("{scheme} {token}");
            assert_eq!(
                read_renewed_in_scheme(Some(&value), scheme),
                (Renewed::Invalid, None),
                "{scheme}: a value over the limit is rejected, scheme included"
            );
        }
    }

    #[test]
    fn read_renewed_rejects_scheme_names() {
        for value in ["Basic", "Bearer==", "digest", "Bearer Basic", "DPoP"] {
            assert_eq!(
                read_renewed(Some(value)),
                (Renewed::Invalid, None),
                "{value}: a scheme name alone is no token"
            );
        }
    }

    #[test]
    fn read_renewed_absent_header() {
        assert_eq!(read_renewed(None), (Renewed::Absent, None), "no header");
    }

    #[test]
    fn read_renewed_rejects_empty() {
        assert_eq!(
            read_renewed(Some("")),
            (Renewed::Invalid, None),
            "empty value"
        );
        assert_eq!(
            read_renewed(Some("Bearer ")),
            (Renewed::Invalid, None),
            "scheme alone"
        );
    }

    #[test]
    fn read_renewed_rejects_whitespace() {
        assert_eq!(
            read_renewed(Some("a b")),
            (Renewed::Invalid, None),
            "space inside"
        );
        assert_eq!(
            read_renewed(Some("a\tb")),
            (Renewed::Invalid, None),
            "tab inside"
        );
    }

    #[test]
    fn read_renewed_rejects_cr_lf() {
        // Browsers and hyper never deliver CR or LF in a header value, so only this test
        // reaches the case.
        assert_eq!(
            read_renewed(Some("a\r\nb")),
            (Renewed::Invalid, None),
            "CR/LF inside"
        );
        assert_eq!(
            read_renewed(Some("a.b.c\n")),
            (Renewed::Invalid, None),
            "trailing LF"
        );
    }

    #[test]
    fn read_renewed_rejects_control_characters() {
        assert_eq!(
            read_renewed(Some("a\u{0}b")),
            (Renewed::Invalid, None),
            "NUL inside"
        );
        assert_eq!(
            read_renewed(Some("a\u{7f}b")),
            (Renewed::Invalid, None),
            "DEL inside"
        );
    }

    #[test]
    fn decide_settles_success() {
        let policy = ReplayPolicy::default();
        let reply = reply(200, Renewed::Absent, Some("t"), Some("t"));
        assert_eq!(
            policy.decide(&reply, 0),
            Decision::Settle,
            "success settles"
        );
    }

    #[test]
    fn decide_settles_business_code() {
        let policy = ReplayPolicy::default();
        let reply = reply(4001, Renewed::Absent, Some("t"), Some("t"));
        assert_eq!(
            policy.decide(&reply, 0),
            Decision::Settle,
            "business code settles"
        );
    }

    #[test]
    fn decide_settles_success_with_sliding_token() {
        let policy = ReplayPolicy::default();
        let reply = reply(200, Renewed::Valid, Some("old"), Some("new"));
        assert_eq!(
            policy.decide(&reply, 0),
            Decision::Settle,
            "a success never replays"
        );
    }

    #[test]
    fn decide_replays_overdue_with_renewed_token() {
        let policy = ReplayPolicy::default();
        let reply = reply(401, Renewed::Valid, Some("old"), Some("new"));
        assert_eq!(
            policy.decide(&reply, 0),
            Decision::Replay,
            "overdue plus token replays"
        );
    }

    #[test]
    fn decide_cleared_token_needs_login() {
        let policy = ReplayPolicy::default();
        let overdue = reply(401, Renewed::Valid, Some("old"), None);
        assert_eq!(
            policy.decide(&overdue, 0),
            Decision::LoginRequired {
                header_missing: false
            },
            "an overdue reply after the token was cleared does not replay"
        );
        let login = reply(1006, Renewed::Absent, Some("old"), None);
        assert_eq!(
            policy.decide(&login, 0),
            Decision::LoginRequired {
                header_missing: false
            },
            "a login-required reply after the token was cleared needs login"
        );
    }

    #[test]
    fn decide_counts_replays_up_to_max() {
        let policy = ReplayPolicy::new(BusinessCodes::default(), 3);
        let reply = reply(401, Renewed::Valid, Some("old"), Some("new"));
        assert_eq!(
            policy.decide(&reply, 2),
            Decision::Replay,
            "third replay allowed"
        );
        assert_eq!(
            policy.decide(&reply, 3),
            Decision::RenewalExhausted,
            "fourth replay exceeds the max of 3"
        );
    }

    #[test]
    fn decide_zero_max_never_replays() {
        let policy = ReplayPolicy::new(BusinessCodes::default(), 0);
        let reply = reply(401, Renewed::Valid, Some("old"), Some("new"));
        assert_eq!(
            policy.decide(&reply, 0),
            Decision::RenewalExhausted,
            "no budget"
        );
    }

    #[test]
    fn decide_replays_when_sent_token_is_older() {
        let policy = ReplayPolicy::default();
        let reply = reply(401, Renewed::Absent, Some("old"), Some("new"));
        assert_eq!(
            policy.decide(&reply, 0),
            Decision::Replay,
            "another call renewed the token meanwhile, so no header is needed"
        );
    }

    #[test]
    fn decide_replays_login_code_when_sent_token_is_older() {
        let policy = ReplayPolicy::default();
        let reply = reply(1007, Renewed::Absent, Some("old"), Some("new"));
        assert_eq!(
            policy.decide(&reply, 0),
            Decision::Replay,
            "older token rejected"
        );
    }

    #[test]
    fn decide_renewal_without_sent_token_needs_login() {
        let policy = ReplayPolicy::default();
        let reply = reply(401, Renewed::Valid, None, None);
        assert_eq!(
            policy.decide(&reply, 0),
            Decision::LoginRequired {
                header_missing: false
            },
            "a call sent without a token is not replayed with a token it never renewed"
        );
    }

    #[test]
    fn decide_replays_when_token_arrived_after_sending_none() {
        let policy = ReplayPolicy::default();
        let reply = reply(1006, Renewed::Absent, None, Some("new"));
        assert_eq!(
            policy.decide(&reply, 0),
            Decision::Replay,
            "login finished meanwhile"
        );
    }

    #[test]
    fn decide_overdue_without_header_requires_login() {
        let policy = ReplayPolicy::default();
        let reply = reply(401, Renewed::Absent, Some("t"), Some("t"));
        assert_eq!(
            policy.decide(&reply, 0),
            Decision::LoginRequired {
                header_missing: true
            },
            "overdue without a token points at the missing header"
        );
    }

    #[test]
    fn decide_overdue_with_malformed_header() {
        let policy = ReplayPolicy::default();
        let reply = reply(401, Renewed::Invalid, Some("t"), Some("t"));
        assert_eq!(
            policy.decide(&reply, 0),
            Decision::InvalidRenewedToken,
            "malformed"
        );
    }

    #[test]
    fn decide_login_codes_require_login() {
        let policy = ReplayPolicy::default();
        for code in [1006, 1007] {
            let reply = reply(code, Renewed::Absent, Some("t"), Some("t"));
            assert_eq!(
                policy.decide(&reply, 0),
                Decision::LoginRequired {
                    header_missing: false
                },
                "code {code} requires a login"
            );
        }
    }

    #[test]
    fn decide_login_code_without_any_token() {
        let policy = ReplayPolicy::default();
        let reply = reply(1006, Renewed::Absent, None, None);
        assert_eq!(
            policy.decide(&reply, 0),
            Decision::LoginRequired {
                header_missing: false
            },
            "no token sent and none stored"
        );
    }

    #[test]
    fn decide_login_code_own_token_ends() {
        let policy = ReplayPolicy::default();
        let reply = Reply {
            moved_by_others: false,
            ..reply(1007, Renewed::Valid, Some("sent"), Some("brought"))
        };
        assert_eq!(
            policy.decide(&reply, 1),
            Decision::LoginRequired {
                header_missing: false
            },
            "a login-required reply is not replayed for the token that it brought itself"
        );
    }

    #[test]
    fn decide_login_code_other_renewal_replays() {
        let policy = ReplayPolicy::default();
        let reply = Reply {
            moved_by_others: true,
            ..reply(1007, Renewed::Valid, Some("sent"), Some("other"))
        };
        assert_eq!(
            policy.decide(&reply, 0),
            Decision::Replay,
            "a token that another call stored makes the reply stale"
        );
    }

    #[test]
    fn decide_settles_session_codes_outside_session() {
        let policy = ReplayPolicy::default();
        for (code, renewed) in [(401, Renewed::Valid), (1006, Renewed::Absent)] {
            let reply = Reply {
                in_session: false,
                ..reply(code, renewed, None, Some("stored"))
            };
            assert_eq!(
                policy.decide(&reply, 0),
                Decision::Settle,
                "code {code} from outside the session settles as a business error"
            );
        }
    }

    #[test]
    fn decide_uses_configured_codes() {
        let codes = BusinessCodes {
            success: 0,
            overdue: 40100,
            login_required: vec![40101],
        };
        let policy = ReplayPolicy::new(codes, 5);
        let overdue = reply(40100, Renewed::Valid, Some("old"), Some("new"));
        let default_overdue = reply(401, Renewed::Valid, Some("old"), Some("new"));
        assert_eq!(
            policy.decide(&overdue, 0),
            Decision::Replay,
            "configured overdue"
        );
        assert_eq!(
            policy.decide(&default_overdue, 0),
            Decision::Settle,
            "401 is an ordinary code once overdue is 40100"
        );
    }
}
