//! RP-Initiated Logout 1.0: the URL of the provider's end-session endpoint.
//!
//! It names the app by `client_id` (§2), not by `id_token_hint`: that
//! parameter is the ID token itself, and a URL carries it into the browser
//! history and the provider's access log. (A form POST would keep the hint
//! out of URLs, but a provider whose session cookie is `SameSite=Lax`, as
//! oidc-provider's is, cannot see its session on a POST from another site.)
//! Without the hint the provider asks the person to confirm the sign-out.

use super::authorize::append_query;
use super::secret::CsrfState;

/// A logout request to the provider (RP-Initiated Logout §2).
pub struct EndSessionRequest<'a> {
    /// The provider's `end_session_endpoint`, from discovery.
    pub end_session_endpoint: &'a str,
    /// This app's client identifier, which names the app instead of `id_token_hint`.
    pub client_id: &'a str,
    /// Where the provider sends the browser back after logout.
    pub post_logout_redirect_uri: &'a str,
    /// Sent back on the return, so this tab can tell its own logout from a forged one.
    pub state: &'a CsrfState,
    /// The languages for the provider's sign-out page (§2), such as `fr`.
    pub ui_locales: Option<&'a str>,
}

impl EndSessionRequest<'_> {
    /// The URL to send the browser to (a top-level redirect).
    pub fn url(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query
            .append_pair("client_id", self.client_id)
            .append_pair("post_logout_redirect_uri", self.post_logout_redirect_uri)
            .append_pair("state", self.state.secret());
        if let Some(ui_locales) = self.ui_locales {
            query.append_pair("ui_locales", ui_locales);
        }
        let query = query.finish();
        append_query(self.end_session_endpoint, &query)
    }
}

/// What a return to the post-logout redirect URI means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoutReturn {
    /// The provider confirmed the sign-out this tab started (state matches).
    Confirmed,
    /// A `state` arrived that this tab did not send; nothing to trust.
    Unrecognised,
    /// No `state` in the URL: an ordinary visit.
    NotALogoutReturn,
}

/// Classifies the query of a page load against the sign-out `state` this
/// tab saved (if any), comparing in constant time.
pub fn check_logout_return(query: &str, expected: Option<&CsrfState>) -> LogoutReturn {
    let query = query.strip_prefix('?').unwrap_or(query);
    let states: Vec<_> = form_urlencoded::parse(query.as_bytes()).filter(|(k, _)| k == "state").collect();
    match (states.as_slice(), expected) {
        ([], _) => LogoutReturn::NotALogoutReturn,
        ([(_, state)], Some(expected)) if expected.matches(state) => LogoutReturn::Confirmed,
        _ => LogoutReturn::Unrecognised,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// OpenID conformance module `oidcc-rp-initiated-logout`.
    #[test]
    fn oidcc_rp_init_logout() {
        let state = CsrfState::new("s-9");
        let url = EndSessionRequest {
            end_session_endpoint: "http://127.0.0.1:9000/session/end",
            client_id: "demo-spa",
            post_logout_redirect_uri: "http://127.0.0.1:8080/",
            state: &state,
            ui_locales: None,
        }
        .url();
        let url = url::Url::parse(&url).unwrap();
        assert_eq!(url.path(), "/session/end");
        let query: HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(query.len(), 3);
        assert!(!query.contains_key("id_token_hint"), "the ID token stays out of the URL and the history");
        assert_eq!(query["client_id"], "demo-spa");
        assert_eq!(query["post_logout_redirect_uri"], "http://127.0.0.1:8080/");
        assert_eq!(query["state"], "s-9");
        // The provider sends the state back: the sign-out is confirmed.
        assert_eq!(check_logout_return("?state=s-9", Some(&state)), LogoutReturn::Confirmed);
    }

    #[test]
    fn the_apps_language_goes_to_the_sign_out_page() {
        let state = CsrfState::new("s-9");
        let url = EndSessionRequest {
            end_session_endpoint: "http://127.0.0.1:9000/session/end",
            client_id: "demo-spa",
            post_logout_redirect_uri: "http://127.0.0.1:8080/",
            state: &state,
            ui_locales: Some("fr"),
        }
        .url();
        let query: HashMap<_, _> = url::Url::parse(&url).unwrap().query_pairs().into_owned().collect();
        assert_eq!(query.get("ui_locales").map(String::as_str), Some("fr"));
    }

    /// `oidcc-rp-initiated-logout-other-state`: a returned state that this
    /// tab did not send is not a confirmation.
    #[test]
    fn oidcc_rp_init_logout_other_state() {
        let state = CsrfState::new("s-9");
        assert_eq!(check_logout_return("?state=other", Some(&state)), LogoutReturn::Unrecognised);
        assert_eq!(check_logout_return("?state=s-9&state=s-9", Some(&state)), LogoutReturn::Unrecognised);
        assert_eq!(check_logout_return("?state=s-9", None), LogoutReturn::Unrecognised);
    }

    /// `oidcc-rp-initiated-logout-no-state`: a return without state is an
    /// ordinary visit, never a confirmation.
    #[test]
    fn oidcc_rp_init_logout_no_state() {
        let state = CsrfState::new("s-9");
        assert_eq!(check_logout_return("", Some(&state)), LogoutReturn::NotALogoutReturn);
        assert_eq!(check_logout_return("?other=1", Some(&state)), LogoutReturn::NotALogoutReturn);
    }
}
