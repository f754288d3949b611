//! URL joining that works before the browser resolves a URL.
//!
//! # Examples
//!
//! ```
//! use renew_fetch::client::url::{append_query, join_url};
//!
//! assert_eq!(join_url(Some("http://127.0.0.1:8080/api/"), "/items"), "http://127.0.0.1:8080/api/items");
//! assert_eq!(append_query("/items?page=2", "sort=asc"), "/items?page=2&sort=asc");
//! ```

/// Joins `url` to `base` the way axios joins `baseURL`: a relative `url` is appended to the base
/// path with exactly one `/` between them, and an absolute `url` (with a scheme, or starting with
/// `//`) ignores the base.
pub fn join_url(base: Option<&str>, url: &str) -> String {
    match base {
        Some(base) if !base.is_empty() && !is_absolute(url) => {
            let base = base.trim_end_matches('/');
            if url.is_empty() {
                return base.to_owned();
            }
            let mut out = String::with_capacity(base.len() + url.len() + 1);
            out.push_str(base);
            out.push('/');
            out.push_str(url.trim_start_matches('/'));
            out
        }
        _ => url.to_owned(),
    }
}

/// Returns true when `url` has a scheme such as `http:` or starts with `//`.
pub fn is_absolute(url: &str) -> bool {
    if url.starts_with("//") {
        return true;
    }
    let Some((scheme, _)) = url.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Appends `query` to `url`, with `?` or `&` as the URL needs, before any fragment. An empty
/// query leaves the URL as it is.
pub fn append_query(url: &str, query: &str) -> String {
    if query.is_empty() {
        return url.to_owned();
    }
    let (base, fragment) = match url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (url, None),
    };
    let mut out = String::with_capacity(url.len() + query.len() + 1);
    out.push_str(base);
    if !base.contains('?') {
        out.push('?');
    } else if !base.ends_with('?') && !base.ends_with('&') {
        out.push('&');
    }
    out.push_str(query);
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// Returns `url` without the user name and password of its authority, so that a message can
/// quote a URL that fetch or the URL parser rejects without repeating a password. It works on the
/// text, because such a URL may not parse. The authority follows the scheme's `:` and the slashes,
/// which only the special schemes such as `http:` may leave out, and ends at the first `/`, `\`,
/// `?` or `#`. Its part up to the last `@` is dropped.
pub fn without_credentials(url: &str) -> String {
    // The URL parser drops leading spaces and control characters.
    let text = url.trim_start_matches(|c: char| c <= ' ');
    let after_scheme = match text.split_once(':') {
        Some((scheme, rest)) if is_absolute(text) && !scheme.starts_with('/') => rest,
        _ if text.starts_with("//") => text,
        _ => return url.to_owned(),
    };
    let authority_start = text.len() - after_scheme.trim_start_matches(['/', '\\']).len();
    // Without slashes, only the special schemes of the URL standard have an authority.
    let special = ["http:", "https:", "ws:", "wss:", "ftp:", "file:"]
        .iter()
        .any(|scheme| {
            text.get(..scheme.len())
                .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
        });
    if authority_start == text.len() - after_scheme.len() && !special {
        return url.to_owned();
    }
    let authority = &text[authority_start..];
    let authority_end = authority
        .find(['/', '\\', '?', '#'])
        .unwrap_or(authority.len());
    match authority[..authority_end].rfind('@') {
        Some(at) => [&text[..authority_start], &authority[at + 1..]].concat(),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_credentials_drops_user_and_password() {
        assert_eq!(
            without_credentials("http://user:secret@h:8080/x?a=1"),
            "http://h:8080/x?a=1",
            "user and password dropped"
        );
    }

    #[test]
    fn without_credentials_handles_unparsable_urls() {
        assert_eq!(
            without_credentials("http://u:p@[bad/x"),
            "http://[bad/x",
            "invalid host"
        );
        assert_eq!(
            without_credentials("ftp:\\\\u:p@h"),
            "ftp:\\\\h",
            "backslashes"
        );
        assert_eq!(
            without_credentials("//u:p@h/x"),
            "//h/x",
            "protocol-relative"
        );
        assert_eq!(without_credentials("http:u:p@h"), "http:h", "no slashes");
    }

    #[test]
    fn without_credentials_keeps_at_outside_authority() {
        assert_eq!(
            without_credentials("http://h/x@y?mail=a@b"),
            "http://h/x@y?mail=a@b",
            "@ in path and query"
        );
        assert_eq!(without_credentials("/users/a@b"), "/users/a@b", "relative");
        assert_eq!(
            without_credentials("http://a@b@h/"),
            "http://h/",
            "last @ ends the user info"
        );
        assert_eq!(
            without_credentials(" \thttp://u:p@h/"),
            "http://h/",
            "leading spaces"
        );
        assert_eq!(
            without_credentials("data:text/plain,a@b"),
            "data:text/plain,a@b",
            "data: has no authority"
        );
        assert_eq!(
            without_credentials("mailto:a@b"),
            "mailto:a@b",
            "mailto: has no authority"
        );
        assert_eq!(
            without_credentials("HTTPS:u:p@h"),
            "HTTPS:h",
            "special scheme without slashes, any case"
        );
    }

    #[test]
    fn join_url_adds_one_slash() {
        let base = Some("http://h/api");
        assert_eq!(join_url(base, "items"), "http://h/api/items", "slash added");
        assert_eq!(
            join_url(Some("http://h/api/"), "/items"),
            "http://h/api/items",
            "one slash"
        );
    }

    #[test]
    fn join_url_absolute_ignores_base() {
        let base = Some("http://h/api");
        assert_eq!(join_url(base, "http://other/x"), "http://other/x", "scheme");
        assert_eq!(
            join_url(base, "//other/x"),
            "//other/x",
            "protocol-relative"
        );
    }

    #[test]
    fn join_url_without_base_keeps_url() {
        assert_eq!(join_url(None, "/items"), "/items", "no base");
        assert_eq!(join_url(Some(""), "/items"), "/items", "empty base");
    }

    #[test]
    fn join_url_empty_url_is_base() {
        assert_eq!(
            join_url(Some("http://h/api/"), ""),
            "http://h/api",
            "base alone"
        );
    }

    #[test]
    fn is_absolute_needs_scheme() {
        assert!(is_absolute("https://h/x"), "https scheme");
        assert!(!is_absolute("/x:y"), "a colon in a path is no scheme");
        assert!(!is_absolute("items"), "plain path");
    }

    #[test]
    fn append_query_adds_question_mark() {
        assert_eq!(
            append_query("http://h/x", "a=1"),
            "http://h/x?a=1",
            "no query yet"
        );
    }

    #[test]
    fn append_query_extends_existing_query() {
        assert_eq!(
            append_query("http://h/x?b=2", "a=1"),
            "http://h/x?b=2&a=1",
            "with &"
        );
    }

    #[test]
    fn append_query_keeps_fragment_last() {
        assert_eq!(
            append_query("http://h/x#top", "a=1"),
            "http://h/x?a=1#top",
            "fragment"
        );
    }

    #[test]
    fn append_query_empty_leaves_url() {
        assert_eq!(
            append_query("http://h/x", ""),
            "http://h/x",
            "nothing to add"
        );
    }
}
