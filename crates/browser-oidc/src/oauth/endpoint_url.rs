//! The URLs the app sends requests or people to (the issuer, every
//! discovered endpoint, the redirect URIs, the API), taken apart strictly
//! rather than by prefix: a prefix check passes
//! `http://127.0.0.1:3000@evil.example`, whose host is `evil.example`.
//!
//! Only a plain subset of absolute URLs is accepted, one that the WHATWG
//! URL parser (the browser's `fetch`) reads the same way: an `https` or
//! `http` scheme, an ASCII host, an optional port, and no userinfo,
//! fragment, backslash, whitespace or control character. The native fuzz
//! test holds every accepted URL against the `url` crate, an independent
//! WHATWG implementation.

use crate::messages::{Describe, Text, display_in_english};

/// An accepted URL's parts (scheme and host in lower case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointUrl {
    /// `https` or `http`.
    pub scheme: String,
    /// A domain name, an IPv4 address or `[::1]`.
    pub host: String,
    /// The port as written, if any (even the scheme's default).
    pub port: Option<u16>,
    /// The path as written (`/` when empty), without the query.
    pub path: String,
}

impl EndpointUrl {
    /// `scheme://host[:port]`, with the scheme's default port left out.
    pub fn origin(&self) -> String {
        match self.port {
            Some(port) if Some(port) != default_port(&self.scheme) => {
                format!("{}://{}:{port}", self.scheme, self.host)
            }
            _ => format!("{}://{}", self.scheme, self.host),
        }
    }
}

/// Why a URL was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlProblem {
    /// Not an absolute `https://` or `http://` URL.
    NotHttps,
    /// Whitespace, a control character or a backslash, which parsers read differently.
    BadCharacter,
    /// A user name or password (`…@`), which can hide the real host.
    Userinfo,
    /// A fragment (`#…`), which endpoints must not have (RFC 6749 §3.1).
    Fragment,
    /// The host is not a domain name, an IPv4 address or `[::1]`.
    BadHost,
    /// The port is empty or not a number from 0 to 65535.
    BadPort,
    /// Plain `http://` to a host other than this machine.
    InsecureHttp,
}

impl Describe for UrlProblem {
    fn text(&self) -> Text {
        Text::new(match self {
            Self::NotHttps => "url.not_https",
            Self::BadCharacter => "url.bad_character",
            Self::Userinfo => "url.userinfo",
            Self::Fragment => "url.fragment",
            Self::BadHost => "url.bad_host",
            Self::BadPort => "url.bad_port",
            Self::InsecureHttp => "url.insecure_http",
        })
    }
}

display_in_english!(UrlProblem);

/// Takes `url` apart, or says why it is refused.
pub fn parse_endpoint_url(url: &str) -> Result<EndpointUrl, UrlProblem> {
    if url.chars().any(|c| c.is_whitespace() || c.is_control() || c == '\\') {
        return Err(UrlProblem::BadCharacter);
    }
    let (scheme, rest) = url.split_once("://").ok_or(UrlProblem::NotHttps)?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err(UrlProblem::NotHttps);
    }
    if rest.contains('#') {
        return Err(UrlProblem::Fragment);
    }
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(UrlProblem::Userinfo);
    }
    let (host, port) = split_host_port(authority)?;
    let host = host.to_ascii_lowercase();
    let loopback = matches!(host.as_str(), "127.0.0.1" | "localhost" | "[::1]");
    if scheme == "http" && !loopback {
        return Err(UrlProblem::InsecureHttp);
    }
    let after_authority = &rest[authority.len()..];
    let path = match after_authority.split('?').next().unwrap_or_default() {
        "" => "/".to_owned(),
        path => path.to_owned(),
    };
    Ok(EndpointUrl { scheme, host, port, path })
}

/// `https://`, or plain `http://` only to this machine (local development).
pub fn is_secure_url(url: &str) -> bool {
    parse_endpoint_url(url).is_ok()
}

fn split_host_port(authority: &str) -> Result<(&str, Option<u16>), UrlProblem> {
    let (host, port) = match authority.rfind(':') {
        // A colon inside brackets belongs to an IPv6 address.
        Some(i) if !authority[i..].contains(']') => (&authority[..i], Some(&authority[i + 1..])),
        _ => (authority, None),
    };
    // Of IPv6 literals only the loopback, in its one canonical spelling: a
    // browser rewrites other spellings (`[0::1]` is `[::1]`), and no
    // provider publishes its endpoints at a bare IPv6 address.
    let valid_host = host == "[::1]" || is_domain_name(host) || is_ipv4(host);
    if !valid_host {
        return Err(UrlProblem::BadHost);
    }
    let port = match port {
        None => None,
        Some(digits) => {
            let valid = !digits.is_empty() && digits.len() <= 5 && digits.bytes().all(|b| b.is_ascii_digit());
            let port: u16 = digits.parse().ok().filter(|_| valid).ok_or(UrlProblem::BadPort)?;
            Some(port)
        }
    };
    Ok((host, port))
}

/// ASCII labels of letters, digits and inner hyphens (an internationalized
/// name is given in its punycode form). A last label that reads as a number
/// (`127.1`, `x.0x10`) would make the WHATWG parser see an IPv4 address.
fn is_domain_name(host: &str) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    let numeric = |label: &str| {
        label.bytes().all(|b| b.is_ascii_digit())
            || label
                .strip_prefix("0x")
                .or_else(|| label.strip_prefix("0X"))
                .is_some_and(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    labels.iter().all(|label| {
        !label.is_empty()
            && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    }) && !labels.last().is_some_and(|last| numeric(last))
}

/// Four decimal octets, each 0–255 without leading zeros.
fn is_ipv4(host: &str) -> bool {
    let octets: Vec<&str> = host.split('.').collect();
    octets.len() == 4
        && octets.iter().all(|octet| {
            !octet.is_empty()
                && octet.len() <= 3
                && octet.bytes().all(|b| b.is_ascii_digit())
                && (octet.len() == 1 || !octet.starts_with('0'))
                && octet.parse::<u16>().is_ok_and(|n| n <= 255)
        })
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "https" => Some(443),
        "http" => Some(80),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_and_origin() {
        let url = parse_endpoint_url("HTTPS://ID.Example.com:8443/realms/x?a=b").unwrap();
        assert_eq!(
            url,
            EndpointUrl { scheme: "https".into(), host: "id.example.com".into(), port: Some(8443), path: "/realms/x".into() }
        );
        assert_eq!(url.origin(), "https://id.example.com:8443");
        assert_eq!(
            parse_endpoint_url("https://id.example.com:443/").unwrap().origin(),
            "https://id.example.com"
        );
        assert_eq!(parse_endpoint_url("http://127.0.0.1:9000").unwrap().origin(), "http://127.0.0.1:9000");
        assert_eq!(parse_endpoint_url("http://127.0.0.1:80/").unwrap().origin(), "http://127.0.0.1");
        assert_eq!(parse_endpoint_url("http://[::1]/").unwrap().host, "[::1]");
    }

    #[test]
    fn each_refusal_names_its_reason() {
        let cases = [
            ("ftp://id.example.com/", UrlProblem::NotHttps),
            ("id.example.com", UrlProblem::NotHttps),
            ("https://id.example.com/a b", UrlProblem::BadCharacter),
            ("https://user@id.example.com/", UrlProblem::Userinfo),
            ("https://id.example.com/#x", UrlProblem::Fragment),
            ("https://-bad-.example.com/", UrlProblem::BadHost),
            ("https://id.example.com:0x50/", UrlProblem::BadPort),
            ("http://id.example.com/", UrlProblem::InsecureHttp),
            ("https://1.2.3.999/", UrlProblem::BadHost),
            ("https://0x7f.0.0.1/", UrlProblem::BadHost),
            ("https://127.1/", UrlProblem::BadHost),
            ("https://example.0x10/", UrlProblem::BadHost),
            ("https://id.example.com\\evil/", UrlProblem::BadCharacter),
            ("https://id.example.com/\u{7f}", UrlProblem::BadCharacter),
            ("https://[abc]/", UrlProblem::BadHost),
            ("https://[::g]/", UrlProblem::BadHost),
            ("https://[fe80::1%25eth0]/", UrlProblem::BadHost),
            ("https://[0::1]/", UrlProblem::BadHost),
            ("https://[a:]/", UrlProblem::BadHost),
            ("https://[2001:db8::1]/", UrlProblem::BadHost),
            ("https://id.example.com:+443/", UrlProblem::BadPort),
            ("https://id.example.com:000443/", UrlProblem::BadPort),
        ];
        for (url, problem) in cases {
            assert_eq!(parse_endpoint_url(url), Err(problem), "{url}");
        }
    }

    #[test]
    fn reasons_read_as_the_end_of_a_sentence() {
        assert_eq!(UrlProblem::Userinfo.to_string(), "it must not contain a user name or password (\"…@\")");
        assert_eq!(
            UrlProblem::InsecureHttp.to_string(),
            "http:// is allowed only for 127.0.0.1, localhost or [::1]; use https://"
        );
    }
}
