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
/// path with exactly one `/` between them, and an absolute `url` ignores the base. A URL is
/// absolute when it starts with `//`, when its scheme is followed by `//`, or when its scheme is
/// one that a URL may carry without `//`, such as `data:` or `mailto:`. So a path with a colon,
/// such as `items:search`, is joined to the base.
pub fn join_url(base: Option<&str>, url: &str) -> String {
    match base {
        Some(base) if !base.is_empty() && !ignores_base(url) => {
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

/// The schemes that a URL may carry without `//` after them.
const BARE_SCHEMES: [&str; 12] = [
    "http",
    "https",
    "ws",
    "wss",
    "ftp",
    "file",
    "data",
    "blob",
    "about",
    "javascript",
    "mailto",
    "tel",
];

/// Returns true when `url` is absolute for [`join_url`].
fn ignores_base(url: &str) -> bool {
    // The URL parser reads `\` as `/` in http: and https: URLs.
    let slash = |b: &u8| *b == b'/' || *b == b'\\';
    if url.len() >= 2 && url.as_bytes().iter().take(2).all(slash) {
        return true;
    }
    match url.split_once(':') {
        Some((scheme, rest)) if is_absolute(url) => {
            rest.starts_with("//")
                || BARE_SCHEMES
                    .iter()
                    .any(|bare| bare.eq_ignore_ascii_case(scheme))
        }
        _ => false,
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
    cut_user_info(url, false)
}

/// Returns `url` without anything from its authority's start up to the last `@` of the whole
/// URL, for a URL that does not parse. A password may hold an unencoded `/`, `?` or `#`, which
/// ends the authority early, so [`without_credentials`] would keep the rest of the password.
/// Only messages about an invalid URL use this, because an `@` in the path or query of a valid
/// URL, as in `?mail=a@b`, is no password.
pub fn without_any_credentials(url: &str) -> String {
    cut_user_info(url, true)
}

/// Returns `url` as the URL parser reads it: without ASCII tabs and newlines anywhere, and
/// without spaces and control characters at either end. The checks and the join with the base
/// URL then see the URL that fetch would send.
pub fn clean_url(url: &str) -> String {
    url.trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

fn cut_user_info(url: &str, whole: bool) -> String {
    match user_info(url.as_bytes(), whole) {
        Some((user_start, host_start)) => {
            let head = url.get(..user_start).unwrap_or_default();
            let tail = url.get(host_start..).unwrap_or_default();
            [head, tail].concat()
        }
        None => url.to_owned(),
    }
}

/// Returns where the user info of `url` starts and where the host after it starts, or `None`
/// when the URL has no user info. It works on bytes, because every delimiter is ASCII, and takes
/// every index with `get`: slicing a `str` can panic, and the wasm build would then carry the
/// panic's message formatting.
fn user_info(url: &[u8], whole: bool) -> Option<(usize, usize)> {
    // The URL parser drops leading spaces and control characters.
    let start = url.iter().position(|&b| b > b' ')?;
    let text = url.get(start..)?;
    let after_scheme = if text.starts_with(b"//") {
        0
    } else {
        let colon = text.iter().position(|&b| b == b':')?;
        let scheme = text.get(..colon)?;
        let valid = scheme.first().is_some_and(u8::is_ascii_alphabetic)
            && scheme
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
        if !valid {
            return None;
        }
        colon + 1
    };

    let rest = text.get(after_scheme..)?;

    // A blob: URL wraps the URL of the page that made it, whose user info is cut to the last
    // `@`, because the blob URLs that a page makes carry none.
    if text
        .get(..5)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case(b"blob:"))
    {
        let offset = start + after_scheme;
        return user_info(rest, true).map(|(user, host)| (user + offset, host + offset));
    }

    let slashes = rest
        .iter()
        .take_while(|&&b| b == b'/' || b == b'\\')
        .count();

    // Without slashes, only the special schemes of the URL standard have an authority.
    let special = [&b"http:"[..], b"https:", b"ws:", b"wss:", b"ftp:", b"file:"]
        .iter()
        .any(|scheme| {
            text.get(..scheme.len())
                .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
        });
    if slashes == 0 && !special {
        return None;
    }

    let authority = rest.get(slashes..)?;
    let end = if whole {
        authority.len()
    } else {
        authority
            .iter()
            .position(|&b| matches!(b, b'/' | b'\\' | b'?' | b'#'))
            .unwrap_or(authority.len())
    };

    let at = authority.get(..end)?.iter().rposition(|&b| b == b'@')?;
    let user_start = start + after_scheme + slashes;
    Some((user_start, user_start + at + 1))
}

/// Returns `url` as the URL parser writes it, and its origin, when that takes no parsing, or
/// `None`. `url` must be a path that starts with a single `/`, which resolves against `page`, the
/// origin of the page's URL, or an absolute URL that starts with one of `origins` followed by
/// `/`. Each origin must be an http: or https: origin as the parser writes it, such as
/// `http://127.0.0.1:8080`. The path and query may contain only characters that the parser keeps
/// unchanged, so `%`, `\`, `#`, spaces and non-ASCII text are out. No segment of the path may
/// start with `.`, which rules out `.` and `..`. For any other URL the caller asks the parser,
/// which costs several microseconds a call in Chromium.
#[cfg(any(target_arch = "wasm32", test))]
pub(crate) fn href_without_parser<'a>(
    url: &str,
    page: Option<&'a str>,
    origins: &'a [String],
) -> Option<(String, &'a str)> {
    let path = url.starts_with('/');
    let origin = if path {
        page?
    } else {
        origins
            .iter()
            .map(String::as_str)
            .find(|origin| starts_with_origin(url, origin))?
    };
    let rest = url.as_bytes().get(if path { 0 } else { origin.len() }..)?;

    // A URL that starts with `//` names a host.
    if !(origin.starts_with("http://") || origin.starts_with("https://")) || url.starts_with("//") {
        return None;
    }

    let mut query = false;
    let mut previous = 0;
    for &byte in rest {
        if !(byte.is_ascii_alphanumeric() || b"-._~!$&()*+,;=:@/?".contains(&byte)) {
            return None;
        }
        query |= byte == b'?';
        if !query && previous == b'/' && byte == b'.' {
            return None;
        }
        previous = byte;
    }

    let mut href = String::with_capacity(origin.len() + url.len());
    if path {
        href.push_str(origin);
    }
    href.push_str(url);
    Some((href, origin))
}

/// Returns true when `url` starts with `origin` followed by `/`, so that `origin` is the whole
/// scheme, host and port of `url` and not a prefix of a longer host or port.
#[cfg(any(target_arch = "wasm32", test))]
pub(crate) fn starts_with_origin(url: &str, origin: &str) -> bool {
    url.starts_with(origin) && url.as_bytes().get(origin.len()) == Some(&b'/')
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
    fn without_credentials_reads_blob_urls() {
        assert_eq!(
            without_credentials("blob:http://u:p@h/1234"),
            "blob:http://h/1234",
            "the URL inside a blob: URL"
        );
        assert_eq!(
            without_credentials("blob:http://u:p?s@h/1234"),
            "blob:http://h/1234",
            "a password with ? inside a blob: URL"
        );
    }

    #[test]
    fn without_any_credentials_cuts_to_last_at() {
        for (url, expected) in [
            ("http://admin:p#ss@127.0.0.1/x", "http://127.0.0.1/x"),
            ("http://admin:p/ss@127.0.0.1/x", "http://127.0.0.1/x"),
            ("http://admin:p?ss@[::1/x", "http://[::1/x"),
            ("http://[::1/x", "http://[::1/x"),
        ] {
            assert_eq!(without_any_credentials(url), expected, "{url}");
        }
        assert_eq!(
            without_credentials("http://admin:p#ss@127.0.0.1/x"),
            "http://admin:p#ss@127.0.0.1/x",
            "the bounded form stops at the #"
        );
    }

    #[test]
    fn clean_url_drops_what_the_parser_drops() {
        assert_eq!(
            clean_url(" \thttp://h/\na\tb\r\n "),
            "http://h/ab",
            "tabs and newlines anywhere, spaces at the ends"
        );
        assert_eq!(clean_url("/a b"), "/a b", "a space inside stays");
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
            " \thttp://h/",
            "leading spaces, which the URL parser drops"
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
    fn join_url_path_with_colon_joins_base() {
        let base = Some("http://h/v1");
        assert_eq!(
            join_url(base, "items:search"),
            "http://h/v1/items:search",
            "a colon in the first segment"
        );
        assert_eq!(
            join_url(base, "custom://h/x"),
            "custom://h/x",
            "a scheme followed by //"
        );
        assert_eq!(
            join_url(base, "//other:8080/x"),
            "//other:8080/x",
            "protocol-relative with a port"
        );
        for slashes in ["\\\\other/x", "/\\other/x", "\\/other/x"] {
            assert_eq!(
                join_url(base, slashes),
                slashes,
                "{slashes} is protocol-relative, as the parser reads it"
            );
        }
        for bare in ["data:text/plain,a", "MAILTO:a@b", "javascript:void(0)"] {
            assert_eq!(join_url(base, bare), bare, "{bare} is absolute");
        }
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

    #[test]
    fn shortcut_joins_page_origin() {
        let page = Some("http://127.0.0.1:8080");
        assert_eq!(
            href_without_parser("/items?page=2", page, &[]),
            Some((
                "http://127.0.0.1:8080/items?page=2".to_owned(),
                "http://127.0.0.1:8080"
            )),
            "a path joins the page's origin"
        );
        assert_eq!(
            href_without_parser("/items", None, &[]),
            None,
            "no page, as in Node"
        );
        assert_eq!(
            href_without_parser("/items", Some("file://"), &[]),
            None,
            "an origin that is not http: or https:"
        );
    }

    #[test]
    fn shortcut_takes_listed_origins() {
        let origins = [
            "https://api.example".to_owned(),
            "http://127.0.0.1:9000".to_owned(),
        ];
        assert_eq!(
            href_without_parser("http://127.0.0.1:9000/x", None, &origins),
            Some((
                "http://127.0.0.1:9000/x".to_owned(),
                "http://127.0.0.1:9000"
            )),
            "the second origin"
        );
        for url in [
            "https://api.example.evil/x",
            "https://api.example:443/x",
            "https://api.example",
            "https://API.example/x",
            "https://api.example?x",
        ] {
            assert_eq!(
                href_without_parser(url, None, &origins),
                None,
                "{url} takes the parser"
            );
        }
    }

    #[test]
    fn shortcut_leaves_rewritten_urls() {
        let page = Some("http://h");
        for url in [
            "//other/x",
            "/\\other",
            "/a/./b",
            "/a/..",
            "/a/%2e%2e/b",
            "/a b",
            "/a#f",
            "/a?q='",
            "/caf\u{e9}",
            "/a\"b",
            "/a{b}",
            "/a|b",
            "/a^b",
            "/a`b",
            "/a[b]",
        ] {
            assert_eq!(
                href_without_parser(url, page, &[]),
                None,
                "{url:?} takes the parser"
            );
        }
        // A segment that starts with a dot goes to the parser too, though it keeps this one.
        assert_eq!(
            href_without_parser("/.well-known", page, &[]),
            None,
            "a dot segment's prefix"
        );
        for url in [
            "/a?x=/./y",
            "/a.b/c",
            "/a?",
            "/a//b",
            "/a:b@c;d=e,f+g*h(i)!$&~",
        ] {
            assert_eq!(
                href_without_parser(url, page, &[]).map(|(href, _)| href),
                Some(["http://h", url].concat()),
                "{url:?} is kept as it is"
            );
        }
    }
}
