//! Where to go after sign-in. Only a same-origin relative path is ever
//! followed: anything else becomes `/` (open redirect, RFC 9700 §4.11).

/// `candidate` if it is a path on this origin, else `/`.
pub fn safe_return_path(candidate: &str) -> String {
    let is_safe = candidate.starts_with('/')
        // `//host` and `/\host` are scheme-relative URLs to another site.
        && !candidate.starts_with("//")
        && !candidate.contains('\\')
        && !candidate.chars().any(char::is_control);
    if is_safe { candidate.to_owned() } else { "/".to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_are_kept() {
        assert_eq!(safe_return_path("/"), "/");
        assert_eq!(safe_return_path("/profile?tab=api#top"), "/profile?tab=api#top");
    }

    #[test]
    fn anything_that_could_leave_the_origin_becomes_root() {
        for evil in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "javascript:alert(1)",
            "evil.example",
            "/\tevil",
            "",
        ] {
            assert_eq!(safe_return_path(evil), "/", "{evil:?}");
        }
    }
}
