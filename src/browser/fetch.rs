//! `HttpClient` over the browser's `fetch`.

use gloo_net::http::{Method as FetchMethod, RequestBuilder};
use web_sys::{ReferrerPolicy, RequestCache, RequestCredentials};

use crate::oauth::http::{HttpClient, HttpRequest, HttpResponse, Method, Unreachable};

/// Sends requests with no cookies (tokens travel in headers and bodies),
/// no caching of token responses, and no `Referer`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fetch;

impl HttpClient for Fetch {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Unreachable> {
        let unreachable = || Unreachable { url: request.url.clone() };
        let method = match request.method {
            Method::Get => FetchMethod::GET,
            Method::Post => FetchMethod::POST,
        };
        let mut builder = RequestBuilder::new(&request.url)
            .method(method)
            .credentials(RequestCredentials::Omit)
            .cache(RequestCache::NoStore)
            .referrer_policy(ReferrerPolicy::NoReferrer);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        let prepared = match &request.body {
            Some(body) => builder.body(body.as_str()),
            None => builder.build(),
        }
        .map_err(|_| unreachable())?;
        let response = prepared.send().await.map_err(|_| unreachable())?;
        Ok(HttpResponse {
            status: response.status(),
            www_authenticate: response.headers().get("WWW-Authenticate"),
            body: response.text().await.map_err(|_| unreachable())?,
        })
    }
}
