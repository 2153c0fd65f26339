//! `HttpClient` over the browser's `fetch`.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortSignal, Headers, ReferrerPolicy, Request, RequestCache, RequestCredentials, RequestInit, RequestRedirect,
    Response,
};

/// How long a request may go unanswered before it counts as unreachable.
const TIMEOUT_MS: u32 = 30_000;

use browser_oidc::oauth::http::{HttpClient, HttpRequest, HttpResponse, Unreachable};

/// Sends requests with no cookies (tokens travel in headers and bodies),
/// no caching of token responses, and no `Referer`; public documents
/// (config, discovery) are fetched the browser's default way, so a
/// `<link rel="preload" as="fetch" crossorigin>` of them is used. A request that has no answer
/// after 30 s is abandoned, so a hung connection cannot stall the session.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fetch;

impl HttpClient for Fetch {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Unreachable> {
        send(&request).await.map_err(|_| Unreachable { url: request.url })
    }
}

/// `AbortSignal.timeout(30 s)`, where the browser has it (Chrome 103,
/// Firefox 100, Safari 16); calling it where it is missing would throw.
fn timeout_signal() -> Option<AbortSignal> {
    let constructor = js_sys::Reflect::get(&js_sys::global(), &"AbortSignal".into()).ok()?;
    let timeout = js_sys::Reflect::get(&constructor, &"timeout".into()).ok()?;
    timeout.is_function().then(|| AbortSignal::timeout_with_u32(TIMEOUT_MS))
}

async fn send(request: &HttpRequest) -> Result<HttpResponse, JsValue> {
    let init = RequestInit::new();
    init.set_method(request.method.as_str());
    if !request.public_document {
        init.set_credentials(RequestCredentials::Omit);
        init.set_cache(RequestCache::NoStore);
    }
    init.set_referrer_policy(ReferrerPolicy::NoReferrer);
    // A token, or a proof, is for the URL it was made for: a redirect
    // elsewhere (even on the same origin) fails rather than carry it along.
    let credentials = ["Authorization", "DPoP"];
    if request.headers.iter().any(|(name, _)| credentials.iter().any(|c| name.eq_ignore_ascii_case(c))) {
        init.set_redirect(RequestRedirect::Error);
    }
    init.set_signal(timeout_signal().as_ref());
    let headers = Headers::new()?;
    for (name, value) in &request.headers {
        headers.set(name, value)?;
    }
    init.set_headers(&headers);
    if let Some(body) = &request.body {
        init.set_body(&JsValue::from_str(body));
    }
    let prepared = Request::new_with_str_and_init(&request.url, &init)?;
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    let response: Response = JsFuture::from(window.fetch_with_request(&prepared)).await?.dyn_into()?;
    Ok(HttpResponse {
        status: response.status(),
        www_authenticate: response.headers().get("WWW-Authenticate")?,
        retry_after: response.headers().get("Retry-After")?,
        dpop_nonce: response.headers().get("DPoP-Nonce")?,
        body: JsFuture::from(response.text()?).await?.as_string().unwrap_or_default(),
    })
}
