//! Reading a resource server's refusal: the `WWW-Authenticate: Bearer`
//! challenge of RFC 6750 §3.

/// The parameters of a Bearer challenge that the client acts on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BearerChallenge {
    /// The error code, e.g. `invalid_token` or `insufficient_scope` (RFC 6750 §3.1).
    pub error: Option<String>,
    /// A human-readable explanation, for developers.
    pub error_description: Option<String>,
    /// The scope the resource needs, space-separated.
    pub scope: Option<String>,
}

/// Parses `Bearer realm="x", error="invalid_token", scope="a b"`, or the
/// same in a `DPoP` challenge (RFC 9449 §7.1, whose `algs` is skipped).
/// Returns `None` for another scheme. Tolerates odd spacing; quoted strings
/// may hold commas and escaped quotes (RFC 9110 §11.2).
pub fn parse_bearer_challenge(header: &str) -> Option<BearerChallenge> {
    let header = header.trim_start();
    let scheme_end = header.find(' ').unwrap_or(header.len());
    let scheme = &header[..scheme_end];
    if !scheme.eq_ignore_ascii_case("Bearer") && !scheme.eq_ignore_ascii_case("DPoP") {
        return None;
    }
    let mut challenge = BearerChallenge::default();
    let mut rest = header[scheme_end..].trim_start();
    while let Some(eq) = rest.find('=') {
        let name = rest[..eq].trim().trim_start_matches(',').trim().to_ascii_lowercase();
        let after = rest[eq + 1..].trim_start();
        let (value, remainder) = if let Some(quoted) = after.strip_prefix('"') {
            read_quoted(quoted)?
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_owned(), &after[end..])
        };
        match name.as_str() {
            "error" => challenge.error = Some(value),
            "error_description" => challenge.error_description = Some(value),
            "scope" => challenge.scope = Some(value),
            _ => {}
        }
        rest = remainder.trim_start().trim_start_matches(',');
    }
    Some(challenge)
}

fn read_quoted(input: &str) -> Option<(String, &str)> {
    let mut value = String::new();
    let mut chars = input.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => value.push(chars.next()?.1),
            '"' => return Some((value, &input[i + 1..])),
            c => value.push(c),
        }
    }
    None // unterminated
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_insufficient_scope() {
        let c = parse_bearer_challenge(
            r#"Bearer realm="demo-api", error="insufficient_scope", scope="api:read api:write""#,
        )
        .unwrap();
        assert_eq!(c.error.as_deref(), Some("insufficient_scope"));
        assert_eq!(c.scope.as_deref(), Some("api:read api:write"));
    }

    #[test]
    fn reads_descriptions_with_commas_and_escapes() {
        let c =
            parse_bearer_challenge(r#"bearer error="invalid_token",error_description="expired, \"old\"""#)
                .unwrap();
        assert_eq!(c.error.as_deref(), Some("invalid_token"));
        assert_eq!(c.error_description.as_deref(), Some(r#"expired, "old""#));
    }

    #[test]
    fn reads_a_dpop_challenge_too() {
        let c = parse_bearer_challenge(
            r#"DPoP algs="ES256 PS256", error="insufficient_scope", error_description="lacks api:read", scope="api:read""#,
        )
        .unwrap();
        assert_eq!(c.error.as_deref(), Some("insufficient_scope"));
        assert_eq!(c.scope.as_deref(), Some("api:read"));
        let c = parse_bearer_challenge(r#"dpop algs="ES256", error="invalid_dpop_proof""#).unwrap();
        assert_eq!(c.error.as_deref(), Some("invalid_dpop_proof"));
    }

    #[test]
    fn a_bare_bearer_challenge_has_no_error() {
        assert_eq!(parse_bearer_challenge("Bearer"), Some(BearerChallenge::default()));
    }

    #[test]
    fn other_schemes_and_garbage_are_none_or_empty() {
        assert_eq!(parse_bearer_challenge(r#"Basic realm="x""#), None);
        assert_eq!(parse_bearer_challenge(r#"Bearer error="unterminated"#), None);
    }
}
