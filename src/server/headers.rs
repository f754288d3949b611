//! The response headers that carry a renewed token: `Authorization`, its exposure to scripts
//! across origins, and `Cache-Control: no-store`.

use http::header::{ACCESS_CONTROL_EXPOSE_HEADERS, AUTHORIZATION, CACHE_CONTROL};
use http::{HeaderMap, HeaderValue};

/// `Cache-Control` for every response that the layer writes or renews.
pub(crate) const NO_STORE: HeaderValue = HeaderValue::from_static("no-store");

/// Puts a renewed token on a response.
///
/// The token is marked sensitive, so the `Debug` text of the headers, which tower-http's
/// `TraceLayer` logs with `include_headers(true)`, shows `Sensitive` in its place, and the
/// HTTP/2 encoder of hyper (h2 0.4) never adds it to the HPACK table.
///
/// An `Authorization` header that the handler set itself is kept, because the handler issued it
/// on purpose (a login route behind the layer, for example). The header is still exposed and
/// the response is still marked no-store. Returns whether `token` went on the response.
pub(crate) fn attach_renewed_token(headers: &mut HeaderMap, mut token: HeaderValue) -> bool {
    token.set_sensitive(true);
    let attached = !headers.contains_key(AUTHORIZATION);
    if attached {
        headers.insert(AUTHORIZATION, token);
    }
    expose_authorization(headers);
    headers.insert(CACHE_CONTROL, NO_STORE);
    attached
}

/// Adds `Authorization` to `Access-Control-Expose-Headers`, keeping every value already there
/// and adding nothing when `Authorization` is listed already (in any case).
///
/// A `*` does not count, because browsers ignore the wildcard on credentialed requests.
pub(crate) fn expose_authorization(headers: &mut HeaderMap) {
    // The usual case, a response that exposes nothing yet, needs no parsing or joining.
    if !headers.contains_key(ACCESS_CONTROL_EXPOSE_HEADERS) {
        headers.insert(
            ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("Authorization"),
        );
        return;
    }
    let existing: Vec<HeaderValue> = headers
        .get_all(ACCESS_CONTROL_EXPOSE_HEADERS)
        .iter()
        .cloned()
        .collect();
    let mut names: Vec<&str> = Vec::new();
    let mut opaque = false;
    for value in &existing {
        match value.to_str() {
            Ok(text) => names.extend(
                text.split(',')
                    .map(str::trim)
                    .filter(|name| !name.is_empty()),
            ),
            Err(_) => opaque = true,
        }
    }
    if names
        .iter()
        .any(|name| name.eq_ignore_ascii_case("authorization"))
    {
        return;
    }
    // A value that is not visible ASCII stays as it is, and Authorization gets its own line.
    if opaque {
        headers.append(
            ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("Authorization"),
        );
        return;
    }
    names.push("Authorization");
    match HeaderValue::from_str(&names.join(", ")) {
        Ok(merged) => {
            headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, merged);
        }
        Err(_) => {
            headers.append(
                ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static("Authorization"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exposed(headers: &HeaderMap) -> Vec<&str> {
        headers
            .get_all(ACCESS_CONTROL_EXPOSE_HEADERS)
            .iter()
            .map(|v| v.to_str().expect("ascii"))
            .collect()
    }

    #[test]
    fn adds_when_absent() {
        let mut headers = HeaderMap::new();
        expose_authorization(&mut headers);
        assert_eq!(
            exposed(&headers),
            ["Authorization"],
            "added to an empty map"
        );
    }

    #[test]
    fn merges_lines_and_keeps_values() {
        let mut headers = HeaderMap::new();
        headers.append(
            ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("X-Request-Id, ETag"),
        );
        headers.append(
            ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("X-Total"),
        );
        expose_authorization(&mut headers);
        assert_eq!(
            exposed(&headers),
            ["X-Request-Id, ETag, X-Total, Authorization"],
            "merged"
        );
    }

    #[test]
    fn no_duplicate_in_any_case() {
        let mut headers = HeaderMap::new();
        headers.insert(
            ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("etag, authorization"),
        );
        expose_authorization(&mut headers);
        assert_eq!(exposed(&headers), ["etag, authorization"], "already listed");
    }

    #[test]
    fn wildcard_does_not_count() {
        let mut headers = HeaderMap::new();
        headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static("*"));
        expose_authorization(&mut headers);
        assert_eq!(
            exposed(&headers),
            ["*, Authorization"],
            "wildcard kept, name added"
        );
    }

    #[test]
    fn handler_authorization_wins() {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_static("from-handler"));
        let attached = attach_renewed_token(&mut headers, HeaderValue::from_static("renewed"));
        assert!(!attached, "the renewed token is reported as left off");
        assert_eq!(headers[AUTHORIZATION], "from-handler", "handler value kept");
        assert_eq!(headers[CACHE_CONTROL], "no-store", "no-store set");
        assert_eq!(exposed(&headers), ["Authorization"], "exposed");
    }
}
