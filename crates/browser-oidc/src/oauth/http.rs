//! HTTP as a parameter: protocol flows take any `HttpClient`, so the browser
//! passes `fetch` and a test passes a fake that checks what was sent.

use std::borrow::Cow;
use crate::messages::{Describe, Text, display_in_english};

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }
}

/// A request for the caller's HTTP client to send.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// The HTTP method.
    pub method: Method,
    /// Where to send it; an app file's may be a path on the app's own origin.
    pub url: String,
    /// Header names and values, in order; values may hold tokens.
    pub headers: Vec<(Cow<'static, str>, String)>,
    /// The body, if any; may hold tokens or codes.
    pub body: Option<String>,
    /// A public document (the app's config or a language file, the
    /// provider's discovery document): fetched the browser's default way,
    /// so it may come from the page's `<link rel="preload">` or the HTTP
    /// cache. Everything else is sent without cookies and never cached.
    pub public_document: bool,
    /// Send a DPoP proof with it (RFC 9449): a token request, or a request
    /// carrying a DPoP-bound access token.
    pub dpop: bool,
}

/// Bodies and header values carry tokens and codes: `Debug` shows only
/// the method, the URL and the header names.
impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let header_names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_ref()).collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &header_names)
            .field("body", &self.body.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

impl HttpRequest {
    /// A `GET` that asks for JSON.
    pub fn get(url: impl Into<String>) -> Self {
        Self {
            method: Method::Get,
            url: url.into(),
            headers: vec![("Accept".into(), "application/json".into())],
            body: None,
            public_document: false,
            dpop: false,
        }
    }

    /// A `GET` of a public document, e.g. `/config.json` or the
    /// provider's discovery document (see [`HttpRequest::public_document`]).
    pub fn get_public_document(url: impl Into<String>) -> Self {
        Self { public_document: true, ..Self::get(url) }
    }

    /// A form POST (`application/x-www-form-urlencoded`), as the token,
    /// revocation and PAR endpoints expect.
    pub fn post_form(url: impl Into<String>, body: String) -> Self {
        Self {
            method: Method::Post,
            url: url.into(),
            headers: vec![
                ("Accept".into(), "application/json".into()),
                ("Content-Type".into(), "application/x-www-form-urlencoded".into()),
            ],
            body: Some(body),
            public_document: false,
            dpop: false,
        }
    }

    /// The same request, with a DPoP proof.
    pub fn with_dpop(mut self, dpop: bool) -> Self {
        self.dpop = dpop;
        self
    }

    /// Adds a header (e.g. `Authorization`), keeping those already set.
    pub fn with_header(mut self, name: impl Into<Cow<'static, str>>, value: String) -> Self {
        self.headers.push((name.into(), value));
        self
    }
}

/// The answer to an [`HttpRequest`], with only what the protocol reads.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The HTTP status code.
    pub status: u16,
    /// `WWW-Authenticate`: what a refusal means (RFC 6750 §3).
    pub www_authenticate: Option<String>,
    /// `Retry-After`: when a busy server (429, 503) may be asked again.
    pub retry_after: Option<String>,
    /// `DPoP-Nonce`: the nonce this server wants in the next DPoP proof.
    pub dpop_nonce: Option<String>,
    /// The body as text; may hold tokens.
    pub body: String,
}

/// A token response's body holds tokens: `Debug` shows only its length.
impl std::fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("www_authenticate", &self.www_authenticate)
            .field("retry_after", &self.retry_after)
            .field("body_bytes", &self.body.len())
            .finish()
    }
}

/// The request never got an answer (provider down, CORS refused, offline).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Unreachable {
    /// The URL that could not be reached.
    pub url: String,
}

/// Sends HTTP requests: `fetch` in the browser, a fake in tests.
#[allow(async_fn_in_trait)] // single-threaded wasm: no Send bound wanted
pub trait HttpClient {
    /// Sends `request`; any answer, whatever its status, is `Ok`.
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Unreachable>;
}

/// A shared client (one provider, several holders) is a client too.
impl<T: HttpClient> HttpClient for std::rc::Rc<T> {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Unreachable> {
        (**self).send(request).await
    }
}

impl Describe for Unreachable {
    fn text(&self) -> Text {
        Text::new("unreachable").quoting("url", &self.url)
    }
}

display_in_english!(Unreachable);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_a_body_or_a_header_value() {
        let request = HttpRequest::post_form("https://op.test/token", "refresh_token=RT-SECRET".into())
            .with_header("Authorization", "Bearer AT-SECRET".into());
        let shown = format!("{request:?}");
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(shown.contains("https://op.test/token") && shown.contains("Authorization"), "{shown}");
        let response = HttpResponse {
            status: 200,
            www_authenticate: None,
            retry_after: None,
            dpop_nonce: None,
            body: r#"{"access_token":"AT-SECRET"}"#.into(),
        };
        let shown = format!("{response:?}");
        assert!(!shown.contains("SECRET") && shown.contains("status: 200"), "{shown}");
    }

    #[test]
    fn only_public_documents_are_fetched_as_the_page_fetches_files() {
        assert!(HttpRequest::get_public_document("/config.json").public_document);
        assert!(!HttpRequest::get("https://op.test/jwks").public_document, "everything else: no cookies, no cache");
    }

    #[test]
    fn every_method_has_its_name_on_the_wire() {
        let names: Vec<&str> =
            [Method::Get, Method::Post, Method::Put, Method::Patch, Method::Delete].map(Method::as_str).to_vec();
        assert_eq!(names, ["GET", "POST", "PUT", "PATCH", "DELETE"]);
    }
}
