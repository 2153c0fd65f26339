//! Token revocation (RFC 7009) for a public client.

/// The form body revoking `token` (`refresh_token` or `access_token`).
pub fn revocation_body(token: &str, token_type_hint: &str, client_id: &str) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("token", token)
        .append_pair("token_type_hint", token_type_hint)
        .append_pair("client_id", client_id)
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revocation_body_names_token_hint_and_client() {
        let body = revocation_body("rt+1", "refresh_token", "demo-spa");
        assert_eq!(body, "token=rt%2B1&token_type_hint=refresh_token&client_id=demo-spa");
    }
}
