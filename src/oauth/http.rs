//! HTTP as a parameter: protocol flows take any `HttpClient`, so the browser
//! passes `fetch` and a test passes a fake that checks what was sent.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<String>,
    /// A public file of the app's own (its config): fetched like the page's
    /// other files, so the browser may cache it and use the page's preload.
    /// Everything else is sent without cookies and never cached.
    pub app_file: bool,
}

impl HttpRequest {
    pub fn get(url: impl Into<String>) -> Self {
        Self {
            method: Method::Get,
            url: url.into(),
            headers: vec![("Accept", "application/json".into())],
            body: None,
            app_file: false,
        }
    }

    pub fn get_app_file(path: impl Into<String>) -> Self {
        Self { app_file: true, ..Self::get(path) }
    }

    /// A form POST (`application/x-www-form-urlencoded`), as the token,
    /// revocation and PAR endpoints expect.
    pub fn post_form(url: impl Into<String>, body: String) -> Self {
        Self {
            method: Method::Post,
            url: url.into(),
            headers: vec![
                ("Accept", "application/json".into()),
                ("Content-Type", "application/x-www-form-urlencoded".into()),
            ],
            body: Some(body),
            app_file: false,
        }
    }

    pub fn with_header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    /// `WWW-Authenticate`, the one response header the client reads.
    pub www_authenticate: Option<String>,
    pub body: String,
}

/// The request never got an answer (provider down, CORS refused, offline).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("could not reach {url}")]
pub struct Unreachable {
    pub url: String,
}

#[allow(async_fn_in_trait)] // single-threaded wasm: no Send bound wanted
pub trait HttpClient {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Unreachable>;
}

/// A shared client (one provider, several holders) is a client too.
impl<T: HttpClient> HttpClient for std::rc::Rc<T> {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Unreachable> {
        (**self).send(request).await
    }
}
