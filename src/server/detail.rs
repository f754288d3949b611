//! The details that a rejection's log line gives about the claim that failed: which claim, what
//! the token carried and what the layer expected.
//!
//! They are built only on the rejection path, after jsonwebtoken or a time check has rejected
//! the token, so a token that passes costs nothing more. Claim values come from the client, so
//! a log line shows each one Debug-escaped and cut to [`MAX_LOGGED_CHARS`] characters. A line
//! never shows the token, its signature or the secret.

use std::fmt;

use serde_json::Value;

/// The maximum number of characters of a claim value, or of a decoder's error message, that a
/// log line shows.
pub(crate) const MAX_LOGGED_CHARS: usize = 64;

/// A value that a token carried, as a log line shows it: `missing`, `null`, or its JSON type
/// and its value. Text is cut to [`MAX_LOGGED_CHARS`] characters and Debug-escaped, so that a
/// line break or a terminal escape in a claim cannot forge or garble a log line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Received(String);

impl Received {
    /// Describes `value`, where `None` is a claim that the token does not carry.
    pub(crate) fn of(value: Option<&Value>) -> Self {
        let text = match value {
            None => "missing".to_owned(),
            Some(Value::Null) => "null".to_owned(),
            Some(Value::Bool(value)) => format!("the boolean {value:?}"),
            // serde_json writes a number with digits, `-`, `.`, `e` and `+` only, so it needs no
            // escaping.
            Some(Value::Number(value)) => format!("the number {value}"),
            Some(Value::String(value)) => format!("the string {}", cut(value)),
            Some(array @ Value::Array(_)) => format!("the array {}", cut(&array.to_string())),
            Some(object @ Value::Object(_)) => format!("the object {}", cut(&object.to_string())),
        };
        Self(text)
    }
}

impl fmt::Display for Received {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Formats `text` cut to [`MAX_LOGGED_CHARS`] characters, with Debug escaping, followed by its
/// length in characters when it was cut.
pub(crate) fn cut(text: &str) -> String {
    Cut(text).to_string()
}

/// `text` as a log line shows it: cut to [`MAX_LOGGED_CHARS`] characters and Debug-escaped,
/// followed by its length in characters when it was cut. It formats without allocating, for
/// the fields of log lines.
pub(crate) struct Cut<'a>(pub(crate) &'a str);

impl fmt::Display for Cut<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0;
        match text.char_indices().nth(MAX_LOGGED_CHARS) {
            None => write!(f, "{text:?}"),
            Some((end, _)) => write!(
                f,
                "{:?} (cut from {} characters)",
                &text[..end],
                text.chars().count()
            ),
        }
    }
}

/// The JSON that a claim must be for the layer to read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Expected {
    String,
    /// A JSON integer from 0 to 2^64 - 1.
    Seconds,
    /// A string or an array, the two forms of `aud` that RFC 7519 allows.
    Audience,
}

impl Expected {
    fn accepts(self, value: &Value) -> bool {
        match self {
            Self::String => value.is_string(),
            Self::Seconds => value.is_u64(),
            Self::Audience => value.is_string() || value.is_array(),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Self::String => "a string",
            Self::Seconds => "an integer of seconds since the UNIX epoch, from 0 to 2^64 - 1",
            Self::Audience => "a string or an array of strings",
        }
    }
}

/// Whether a token must carry a claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Presence {
    Required,
    /// The claim may be missing or null.
    Optional,
}

/// Every claim that `WireClaims` in token.rs reads, with its presence and type. A unit test
/// checks this table against `WireClaims`, value by value.
const CLAIMS: [(&str, Presence, Expected); 10] = [
    ("sub", Presence::Required, Expected::String),
    ("username", Presence::Required, Expected::String),
    ("iat", Presence::Required, Expected::Seconds),
    ("exp", Presence::Required, Expected::Seconds),
    ("jti", Presence::Required, Expected::String),
    ("auth_time", Presence::Required, Expected::Seconds),
    ("sid", Presence::Optional, Expected::String),
    ("iss", Presence::Optional, Expected::String),
    ("aud", Presence::Optional, Expected::Audience),
    ("nbf", Presence::Optional, Expected::Seconds),
];

/// One reason that the claims of a token could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ClaimFault {
    /// A required claim is missing.
    Missing { claim: &'static str },
    /// A claim has the wrong JSON type, or is null where it is required.
    WrongType {
        claim: &'static str,
        expected: Expected,
        received: Received,
    },
    /// `sub` is the empty string, which no token the layer issues carries.
    EmptySubject,
    /// `sid` is the empty string, which no token the layer issues carries, and which would name
    /// every session that another issuer left without one.
    EmptySessionId,
    /// The payload is JSON, but not an object.
    NotAnObject { received: Received },
    /// The payload is not JSON, or fails to decode for a reason that the checks above do not
    /// cover, such as a claim given twice. The message is the decoder's, cut and escaped.
    Undecodable { message: String },
}

impl fmt::Display for ClaimFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing { claim } => write!(f, "{claim} is missing"),
            Self::WrongType {
                claim,
                expected,
                received,
            } => write!(f, "{claim} is {received}, expected {}", expected.describe()),
            Self::EmptySubject => f.write_str("sub is the empty string, expected a user id"),
            Self::EmptySessionId => {
                f.write_str("sid is the empty string, expected a session id or no sid at all")
            }
            Self::NotAnObject { received } => {
                write!(f, "the payload is {received}, expected a JSON object")
            }
            Self::Undecodable { message } => write!(f, "the payload does not decode: {message}"),
        }
    }
}

/// The claim faults of one token, at least one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ClaimFaults(Box<[ClaimFault]>);

impl ClaimFaults {
    #[cfg(test)]
    pub(crate) fn faults(&self) -> &[ClaimFault] {
        &self.0
    }

    /// Finds every claim of `token` that the layer cannot read. `error` is jsonwebtoken's error,
    /// which the faults name when no claim check explains it.
    ///
    /// The caller has verified the signature, so the payload is decoded here without another
    /// check.
    pub(crate) fn of(token: &str, error: &jsonwebtoken::errors::Error) -> Self {
        let mut faults = match payload(token) {
            Ok(payload) => claim_faults(&payload),
            Err(message) => vec![ClaimFault::Undecodable { message }],
        };
        if faults.is_empty() {
            faults.push(ClaimFault::Undecodable {
                message: cut(&error.to_string()),
            });
        }
        Self(faults.into_boxed_slice())
    }
}

/// Checks the decoded `payload` against [`CLAIMS`] and returns every fault, in table order.
fn claim_faults(payload: &Value) -> Vec<ClaimFault> {
    let Value::Object(claims) = payload else {
        return vec![ClaimFault::NotAnObject {
            received: Received::of(Some(payload)),
        }];
    };
    let mut faults = Vec::new();
    for (claim, presence, expected) in CLAIMS {
        let fault = match (claims.get(claim), presence) {
            (None, Presence::Required) => Some(ClaimFault::Missing { claim }),
            (None | Some(Value::Null), Presence::Optional) => None,
            (Some(value), _) if expected.accepts(value) => None,
            (received, _) => Some(ClaimFault::WrongType {
                claim,
                expected,
                received: Received::of(received),
            }),
        };
        faults.extend(fault);
    }
    faults
}

impl From<ClaimFault> for ClaimFaults {
    fn from(fault: ClaimFault) -> Self {
        Self(Box::new([fault]))
    }
}

impl fmt::Display for ClaimFaults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, fault) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{fault}")?;
        }
        Ok(())
    }
}

/// Decodes the payload of `token` as JSON without checking the signature, or returns the
/// decoder's message, cut and escaped.
fn payload(token: &str) -> Result<Value, String> {
    jsonwebtoken::dangerous::insecure_decode_claims::<Value>(token).map_err(|e| cut(&e.to_string()))
}

/// An `iss` or `aud` that does not match the config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Mismatch {
    claim: &'static str,
    received: Received,
    /// The configured issuer or audience, or `None` for an `aud` when the config sets none.
    expected: Option<String>,
}

impl Mismatch {
    /// Describes the `claim` of `token` against the `expected` value of the config.
    ///
    /// The caller has verified the signature, so the payload is decoded here without another
    /// check.
    pub(crate) fn of(token: &str, claim: &'static str, expected: Option<&str>) -> Self {
        let received = match payload(token) {
            Ok(payload) => Received::of(payload.get(claim)),
            Err(message) => Received(format!("unreadable ({message})")),
        };
        Self {
            claim,
            received,
            expected: expected.map(str::to_owned),
        }
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            claim,
            received,
            expected,
        } = self;
        match expected {
            Some(expected) => write!(f, "{claim} is {received}, expected {expected:?}"),
            None => write!(
                f,
                "{claim} is {received}, expected none because the config sets no audience"
            ),
        }
    }
}

/// A time claim that the layer checks against its clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TimeClaim {
    Nbf,
    Iat,
    AuthTime,
}

impl TimeClaim {
    fn name(self) -> &'static str {
        match self {
            Self::Nbf => "nbf",
            Self::Iat => "iat",
            Self::AuthTime => "auth_time",
        }
    }
}

/// A time claim that is further in the future than the layer allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Ahead {
    pub(crate) claim: TimeClaim,
    /// How far the claim is ahead of the layer's clock, in seconds.
    pub(crate) seconds: u64,
    /// How far ahead the layer allows it to be, in seconds: the leeway or the allowance for
    /// issued times, whichever is longer.
    pub(crate) allowed: u64,
}

impl Ahead {
    /// Describes `claim`, whose value is `value`, at clock time `now`.
    pub(crate) fn new(claim: TimeClaim, value: u64, now: u64, allowed: u64) -> Self {
        Self {
            claim,
            seconds: value.saturating_sub(now),
            allowed,
        }
    }
}

impl fmt::Display for Ahead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is {} s ahead of the layer's clock, more than the {} s allowed for clock skew",
            self.claim.name(),
            self.seconds,
            self.allowed
        )
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::server::token::WireClaims;

    fn valid_claims() -> Value {
        json!({
            "sub": "1", "username": "ada", "iat": 1_700_000_000u64, "exp": 1_700_007_200u64,
            "jti": "00112233445566778899aabbccddeeff", "auth_time": 1_700_000_000u64,
        })
    }

    /// Every claim of the table, with each value in turn, is read by `WireClaims` exactly when
    /// the table finds no fault, so the table cannot drift from the struct.
    #[test]
    fn table_agrees_with_wire_claims() {
        let candidates = [
            None,
            Some(json!(null)),
            Some(json!("text")),
            Some(json!("")),
            Some(json!(0)),
            Some(json!(1_700_000_000u64)),
            Some(json!(u64::MAX)),
            Some(json!(-1)),
            Some(json!(1.0)),
            Some(json!(1e30)),
            Some(json!(true)),
            Some(json!([])),
            Some(json!(["web", "api"])),
            Some(json!([1, 2])),
            Some(json!({})),
        ];
        for (claim, _, _) in CLAIMS {
            for candidate in &candidates {
                let mut claims = valid_claims();
                let object = claims.as_object_mut().expect("an object");
                match candidate {
                    Some(value) => object.insert(claim.to_owned(), value.clone()),
                    None => object.remove(claim),
                };
                let reads = serde_json::from_value::<WireClaims>(claims.clone()).is_ok();
                let faults = claim_faults(&claims);
                assert_eq!(
                    reads,
                    faults.is_empty(),
                    "{claim} = {candidate:?}: WireClaims reads it {reads}, faults {faults:?}"
                );
            }
        }
    }

    #[test]
    fn missing_claims_are_all_named() {
        let mut claims = valid_claims();
        let object = claims.as_object_mut().expect("an object");
        for claim in ["username", "jti", "auth_time", "iat"] {
            object.remove(claim);
        }
        let faults = claim_faults(&claims);
        let expected: Vec<ClaimFault> = ["username", "iat", "jti", "auth_time"]
            .into_iter()
            .map(|claim| ClaimFault::Missing { claim })
            .collect();
        assert_eq!(faults, expected, "each missing claim, in table order");
    }

    #[test]
    fn wrong_type_names_claim_and_type() {
        let mut claims = valid_claims();
        claims["iat"] = json!("1700000000");
        let faults = claim_faults(&claims);
        assert_eq!(faults.len(), 1, "one fault: {faults:?}");
        assert_eq!(
            faults[0].to_string(),
            "iat is the string \"1700000000\", expected an integer of seconds since the UNIX \
             epoch, from 0 to 2^64 - 1",
            "the claim, the value received and the type expected"
        );
    }

    #[test]
    fn required_null_is_wrong_type() {
        let mut claims = valid_claims();
        claims["username"] = json!(null);
        let faults = claim_faults(&claims);
        assert_eq!(
            faults,
            vec![ClaimFault::WrongType {
                claim: "username",
                expected: Expected::String,
                received: Received("null".to_owned()),
            }],
            "a required claim may not be null"
        );
    }

    #[test]
    fn payload_array_is_not_an_object() {
        let faults = claim_faults(&json!(["sub"]));
        assert_eq!(
            faults[0].to_string(),
            "the payload is the array \"[\\\"sub\\\"]\", expected a JSON object",
            "the payload's type and value"
        );
    }

    #[test]
    fn received_value_is_escaped() {
        let received = Received::of(Some(&json!("evil\nWARN forged\u{1b}[31m")));
        assert_eq!(
            received.to_string(),
            r#"the string "evil\nWARN forged\u{1b}[31m""#,
            "the line break and the terminal escape are escaped"
        );
    }

    #[test]
    fn received_value_is_cut() {
        let long = "é".repeat(100);
        let received = Received::of(Some(&json!(long))).to_string();
        let expected = format!(
            "the string {:?} (cut from 100 characters)",
            "é".repeat(MAX_LOGGED_CHARS)
        );
        assert_eq!(received, expected, "64 characters, cut on a char boundary");
    }

    #[test]
    fn short_value_is_not_marked_cut() {
        let exact = "a".repeat(MAX_LOGGED_CHARS);
        assert_eq!(
            cut(&exact),
            format!("{exact:?}"),
            "a value of exactly the maximum is whole"
        );
    }

    #[test]
    fn number_and_boolean_show_their_value() {
        assert_eq!(
            Received::of(Some(&json!(-1))).to_string(),
            "the number -1",
            "a negative number"
        );
        assert_eq!(
            Received::of(Some(&json!(1.5))).to_string(),
            "the number 1.5",
            "a float"
        );
        assert_eq!(
            Received::of(Some(&json!(true))).to_string(),
            "the boolean true",
            "a boolean"
        );
        assert_eq!(Received::of(None).to_string(), "missing", "no value");
    }

    #[test]
    fn mismatch_without_configured_audience() {
        let mismatch = Mismatch {
            claim: "aud",
            received: Received::of(Some(&json!("web"))),
            expected: None,
        };
        assert_eq!(
            mismatch.to_string(),
            "aud is the string \"web\", expected none because the config sets no audience",
            "the received audience, and why none is expected"
        );
    }

    #[test]
    fn ahead_names_claim_seconds_and_allowance() {
        let ahead = Ahead::new(TimeClaim::AuthTime, 1_300, 1_000, 60);
        assert_eq!(
            ahead.to_string(),
            "auth_time is 300 s ahead of the layer's clock, more than the 60 s allowed for clock \
             skew",
            "the claim, how far ahead, and the allowance"
        );
    }
}
