//! The duplicate key of a request, and the query-string serialization it shares with the URL.
//!
//! Two calls are duplicates when they have the same method, the same absolute URL and the same
//! body. Params are serialized the way the npm `qs` package's `stringify` does with its defaults
//! (nested keys as `a[b][c]=1`, arrays as `a[0]=x&a[1]=y`, brackets percent-encoded), except that
//! object keys are sorted at every level, so `{b, a}` and `{a, b}` give one key. A JSON body is
//! keyed by its JSON text with the object keys sorted in the same way.
//!
//! # Examples
//!
//! ```
//! use renew_fetch::client::key::{stringify_query, KeyValue};
//!
//! let params = KeyValue::Map(vec![
//!     ("tags".into(), KeyValue::List(vec![KeyValue::text("x"), KeyValue::text("y")])),
//!     ("page".into(), KeyValue::text("2")),
//! ]);
//! assert_eq!(stringify_query(&params), "page=2&tags%5B0%5D=x&tags%5B1%5D=y");
//! ```

/// A JSON-like value as the key and the query string see it.
///
/// Numbers and booleans are [`KeyValue::Text`] in the form JavaScript's `String(value)` gives,
/// because that is what goes on the wire.
#[derive(Clone, Debug, PartialEq)]
pub enum KeyValue {
    /// `undefined`, a function or a symbol: left out, as `qs` leaves it out.
    Undefined,
    /// `null`: the key with an empty value, `a=`.
    Null,
    /// A string, number, boolean or date, already turned into text.
    Text(String),
    /// An array, serialized with indices.
    List(Vec<KeyValue>),
    /// An object's own enumerable properties, in any order. They are sorted when serialized.
    Map(Vec<(String, KeyValue)>),
}

impl KeyValue {
    /// Creates a [`KeyValue::Text`].
    pub fn text(value: impl Into<String>) -> Self {
        Self::Text(value.into())
    }
}

/// The body part of a duplicate key.
#[derive(Clone, Debug, PartialEq)]
pub enum BodyKey {
    /// No body.
    Empty,
    /// A string body, sent as it is.
    Text(String),
    /// A body sent as JSON: its JSON text with the keys of every object sorted.
    Json(String),
}

/// Serializes `value` as a query string, without the leading `?`, the way `qs.stringify` does
/// by default but with object keys sorted.
///
/// Only a [`KeyValue::Map`] or a [`KeyValue::List`] at the top has names to put before `=`, so
/// any other top-level value gives an empty string, as in `qs`.
pub fn stringify_query(value: &KeyValue) -> String {
    let mut pairs = Vec::new();
    match value {
        KeyValue::Map(entries) => {
            for (name, item) in sorted(entries) {
                push_pairs(name, item, &mut pairs);
            }
        }
        KeyValue::List(items) => {
            for (index, item) in items.iter().enumerate() {
                push_pairs(&index.to_string(), item, &mut pairs);
            }
        }
        KeyValue::Undefined | KeyValue::Null | KeyValue::Text(_) => {}
    }
    pairs.join("&")
}

/// Builds the duplicate key from the method, the absolute URL (which already contains the
/// serialized params) and the body.
///
/// The method is compared without regard to case. The parts are separated by a newline, which
/// neither a method, a serialized URL nor a serialized query can contain.
pub fn duplicate_key(method: &str, absolute_url: &str, body: &BodyKey) -> String {
    let mut key = method.to_ascii_uppercase();
    key.push(' ');
    key.push_str(absolute_url);
    match body {
        BodyKey::Empty => {}
        BodyKey::Text(text) => {
            key.push_str("\ntext:");
            key.push_str(text);
        }
        BodyKey::Json(json) => {
            key.push_str("\njson:");
            key.push_str(json);
        }
    }
    key
}

fn push_pairs(prefix: &str, value: &KeyValue, pairs: &mut Vec<String>) {
    match value {
        KeyValue::Undefined => {}
        KeyValue::Null => pairs.push(pair(prefix, "")),
        KeyValue::Text(text) => pairs.push(pair(prefix, text)),
        KeyValue::List(items) => {
            for (index, item) in items.iter().enumerate() {
                push_pairs(&nested(prefix, &index.to_string()), item, pairs);
            }
        }
        KeyValue::Map(entries) => {
            for (name, item) in sorted(entries) {
                push_pairs(&nested(prefix, name), item, pairs);
            }
        }
    }
}

fn sorted(entries: &[(String, KeyValue)]) -> Vec<(&str, &KeyValue)> {
    let mut entries: Vec<(&str, &KeyValue)> = entries
        .iter()
        .map(|(name, value)| (name.as_str(), value))
        .collect();
    // NOTE: this orders by UTF-8 bytes, and JavaScript's default sort by UTF-16 code units. The
    // two differ only between characters above U+FFFF and those from U+E000 to U+FFFF.
    // An insertion sort, because objects have few keys and the slice sorts of std add kilobytes
    // to the wasm build.
    for i in 1..entries.len() {
        let mut j = i;
        while j > 0 && entries[j - 1].0 > entries[j].0 {
            entries.swap(j - 1, j);
            j -= 1;
        }
    }
    entries
}

fn nested(prefix: &str, name: &str) -> String {
    let mut out = String::with_capacity(prefix.len() + name.len() + 2);
    out.push_str(prefix);
    out.push('[');
    out.push_str(name);
    out.push(']');
    out
}

fn pair(name: &str, value: &str) -> String {
    let mut out = encode(name);
    out.push('=');
    out.push_str(&encode(value));
    out
}

/// Percent-encodes every byte of the UTF-8 text except the RFC 3986 unreserved characters
/// (`A-Z a-z 0-9 - . _ ~`), with uppercase hex digits, as `qs` does in its default RFC 3986
/// format. A space becomes `%20`.
pub fn encode(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: &[(&str, KeyValue)]) -> KeyValue {
        KeyValue::Map(
            entries
                .iter()
                .map(|(name, value)| ((*name).to_owned(), value.clone()))
                .collect(),
        )
    }

    fn list(items: &[&str]) -> KeyValue {
        KeyValue::List(items.iter().map(|item| KeyValue::text(*item)).collect())
    }

    #[test]
    fn stringify_sorts_object_keys() {
        let value = map(&[("b", KeyValue::text("2")), ("a", KeyValue::text("1"))]);
        assert_eq!(stringify_query(&value), "a=1&b=2", "keys in sorted order");
    }

    #[test]
    fn stringify_nests_objects_with_brackets() {
        let inner = map(&[("c", KeyValue::text("1"))]);
        let value = map(&[("a", map(&[("b", inner)]))]);
        assert_eq!(
            stringify_query(&value),
            "a%5Bb%5D%5Bc%5D=1",
            "qs writes a[b][c]=1 with encoded brackets"
        );
    }

    #[test]
    fn stringify_indexes_arrays() {
        let value = map(&[("a", list(&["x", "y"]))]);
        assert_eq!(
            stringify_query(&value),
            "a%5B0%5D=x&a%5B1%5D=y",
            "indices format"
        );
    }

    #[test]
    fn stringify_arrays_of_objects() {
        let first = map(&[("id", KeyValue::text("1"))]);
        let value = map(&[("rows", KeyValue::List(vec![first]))]);
        assert_eq!(
            stringify_query(&value),
            "rows%5B0%5D%5Bid%5D=1",
            "rows[0][id]=1"
        );
    }

    #[test]
    fn stringify_null_gives_empty_value() {
        let value = map(&[("a", KeyValue::Null)]);
        assert_eq!(stringify_query(&value), "a=", "null is a=");
    }

    #[test]
    fn stringify_skips_undefined() {
        let value = map(&[("a", KeyValue::Undefined), ("b", KeyValue::text("1"))]);
        assert_eq!(stringify_query(&value), "b=1", "undefined is left out");
    }

    #[test]
    fn stringify_keeps_index_of_undefined_item() {
        let items = KeyValue::List(vec![KeyValue::Undefined, KeyValue::text("y")]);
        let value = map(&[("a", items)]);
        assert_eq!(
            stringify_query(&value),
            "a%5B1%5D=y",
            "the second item keeps index 1"
        );
    }

    #[test]
    fn stringify_skips_empty_array_and_object() {
        let value = map(&[
            ("a", KeyValue::List(Vec::new())),
            ("b", KeyValue::Map(Vec::new())),
            ("c", KeyValue::text("1")),
        ]);
        assert_eq!(
            stringify_query(&value),
            "c=1",
            "empty containers give nothing"
        );
    }

    #[test]
    fn stringify_top_level_scalar_is_empty() {
        assert_eq!(
            stringify_query(&KeyValue::text("abc")),
            "",
            "a string has no names"
        );
        assert_eq!(stringify_query(&KeyValue::Null), "", "null has no names");
    }

    #[test]
    fn stringify_top_level_array_uses_indices() {
        assert_eq!(
            stringify_query(&list(&["x", "y"])),
            "0=x&1=y",
            "indices as names"
        );
    }

    #[test]
    fn encode_keeps_unreserved_characters() {
        assert_eq!(
            encode("AZaz09-._~"),
            "AZaz09-._~",
            "unreserved characters stay"
        );
    }

    #[test]
    fn encode_escapes_reserved_and_space() {
        assert_eq!(
            encode("a b&c=d"),
            "a%20b%26c%3Dd",
            "space is %20, & and = escaped"
        );
        assert_eq!(
            encode("!'()*"),
            "%21%27%28%29%2A",
            "RFC 3986 format escapes !'()*"
        );
    }

    #[test]
    fn encode_escapes_utf8_bytes() {
        assert_eq!(encode("é"), "%C3%A9", "two UTF-8 bytes");
        assert_eq!(encode("😀"), "%F0%9F%98%80", "four UTF-8 bytes");
    }

    #[test]
    fn duplicate_key_method_case_insensitive() {
        let url = "http://127.0.0.1/x";
        assert_eq!(
            duplicate_key("get", url, &BodyKey::Empty),
            duplicate_key("GET", url, &BodyKey::Empty),
            "get and GET are one method"
        );
    }

    #[test]
    fn duplicate_key_differs_by_method() {
        let url = "http://127.0.0.1/x";
        assert_ne!(
            duplicate_key("GET", url, &BodyKey::Empty),
            duplicate_key("DELETE", url, &BodyKey::Empty),
            "methods differ"
        );
    }

    #[test]
    fn duplicate_key_differs_by_url() {
        assert_ne!(
            duplicate_key("GET", "http://127.0.0.1/x?page=1", &BodyKey::Empty),
            duplicate_key("GET", "http://127.0.0.1/x?page=2", &BodyKey::Empty),
            "query strings differ"
        );
    }

    #[test]
    fn duplicate_key_differs_by_body() {
        let url = "http://127.0.0.1/x";
        let first = BodyKey::Json(r#"{"a":1}"#.to_owned());
        let second = BodyKey::Json(r#"{"a":2}"#.to_owned());
        assert_ne!(
            duplicate_key("POST", url, &first),
            duplicate_key("POST", url, &second),
            "bodies differ"
        );
    }

    #[test]
    fn duplicate_key_text_body_differs_from_json() {
        let url = "http://127.0.0.1/x";
        let text = BodyKey::Text(r#"{"a":1}"#.to_owned());
        let json = BodyKey::Json(r#"{"a":1}"#.to_owned());
        assert_ne!(
            duplicate_key("POST", url, &text),
            duplicate_key("POST", url, &json),
            "a string body and a JSON body are different requests"
        );
    }
}
