//! Keeping a session alive: refresh ahead of expiry, exactly one refresh
//! request in flight however many callers need a fresh token, and API calls
//! that refresh once and retry once on `invalid_token`.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use futures_util::future::{FutureExt, LocalBoxFuture, Shared};

use crate::config::Config;
use crate::oauth::discovery::ProviderMetadata;
use crate::oauth::http::HttpClient;
use crate::oauth::token::TokenError;

use super::api::{self, ApiError};
use super::error::AuthError;
use super::flow;
use super::session::Session;

type RefreshFuture = Shared<LocalBoxFuture<'static, Result<Arc<Session>, AuthError>>>;

/// How long before expiry to refresh: a quarter of the token's lifetime,
/// at least 2 s and at most 60 s.
pub fn refresh_lead_ms(lifetime_ms: f64) -> f64 {
    (lifetime_ms / 4.0).clamp(2_000.0, 60_000.0)
}

/// When the session should be refreshed (ms since epoch, local clock), or
/// `None` when the provider gave no lifetime.
pub fn refresh_due_at(session: &Session) -> Option<f64> {
    let expires_at = session.access_token_expires_at_ms?;
    Some(expires_at - refresh_lead_ms(expires_at - session.received_at_ms))
}

/// What a failed refresh means for the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenewalFailure {
    /// The provider ended the session (revoked, reused or expired refresh
    /// token, sign-out elsewhere): sign in again.
    SessionEnded,
    /// The provider could not be reached or failed: try again later.
    Temporary,
}

pub fn classify(error: &AuthError) -> RenewalFailure {
    match error {
        AuthError::ProviderUnreachable(_) => RenewalFailure::Temporary,
        AuthError::Token(TokenError::UnexpectedStatus { status, .. }) if *status >= 500 => {
            RenewalFailure::Temporary
        }
        AuthError::Token(TokenError::Provider(e))
            if e.error == "temporarily_unavailable" || e.error == "server_error" =>
        {
            RenewalFailure::Temporary
        }
        _ => RenewalFailure::SessionEnded,
    }
}

/// Retry delays after temporary failures: 2, 4, 8, 16, then every 30 s.
pub fn retry_delay_ms(attempt: u32) -> f64 {
    (2_000.0 * 2f64.powi(attempt.min(10) as i32)).min(30_000.0)
}

/// Holds one tab's session and renews it.
pub struct SessionKeeper<H> {
    http: H,
    config: Config,
    now_millis: fn() -> f64,
    session: RefCell<Option<Arc<Session>>>,
    /// Discovered once (or handed over by the sign-in), reused for every
    /// refresh.
    metadata: RefCell<Option<ProviderMetadata>>,
    in_flight: RefCell<Option<RefreshFuture>>,
    on_renewed: Box<dyn Fn(Arc<Session>)>,
}

impl<H: HttpClient + 'static> SessionKeeper<H> {
    pub fn new(
        http: H,
        config: Config,
        now_millis: fn() -> f64,
        session: Arc<Session>,
        metadata: Option<ProviderMetadata>,
        on_renewed: impl Fn(Arc<Session>) + 'static,
    ) -> Rc<Self> {
        Rc::new(Self {
            http,
            config,
            now_millis,
            session: RefCell::new(Some(session)),
            metadata: RefCell::new(metadata),
            in_flight: RefCell::new(None),
            on_renewed: Box::new(on_renewed),
        })
    }

    pub fn current(&self) -> Option<Arc<Session>> {
        self.session.borrow().clone()
    }

    /// Forgets the tokens (sign-out, or the session ended).
    pub fn clear(&self) {
        self.session.replace(None);
    }

    /// The session, refreshed first if it is due.
    pub async fn fresh_session(self: &Rc<Self>) -> Result<Arc<Session>, AuthError> {
        let current = self.current().ok_or(AuthError::NotSignedIn)?;
        match refresh_due_at(&current) {
            Some(due) if (self.now_millis)() >= due => self.refresh().await,
            _ => Ok(current),
        }
    }

    /// Refreshes now. Concurrent callers share one request: the refresh
    /// token is sent once, and its rotated successor replaces it.
    pub async fn refresh(self: &Rc<Self>) -> Result<Arc<Session>, AuthError> {
        let pending = self.in_flight.borrow().clone();
        if let Some(pending) = pending {
            return pending.await;
        }
        let keeper = Rc::clone(self);
        let shared = async move {
            let result = keeper.refresh_once().await;
            keeper.in_flight.replace(None);
            result
        }
        .boxed_local()
        .shared();
        self.in_flight.replace(Some(shared.clone()));
        shared.await
    }

    async fn refresh_once(&self) -> Result<Arc<Session>, AuthError> {
        let current = self.current().ok_or(AuthError::NotSignedIn)?;
        let cached = self.metadata.borrow().clone();
        let metadata = match cached {
            Some(metadata) => metadata,
            None => flow::discover(&self.http, &self.config.issuer).await?,
        };
        self.metadata.replace(Some(metadata.clone()));
        let renewed =
            Arc::new(flow::refresh(&self.http, &self.config, &metadata, &current, self.now_millis).await?);
        // Signed out while the request was out: keep nothing.
        if self.current().is_none() {
            return Err(AuthError::NotSignedIn);
        }
        self.session.replace(Some(renewed.clone()));
        (self.on_renewed)(renewed.clone());
        Ok(renewed)
    }

    /// GETs `path` from the API with a fresh token; on `invalid_token` it
    /// refreshes once and retries once.
    pub async fn get_api(self: &Rc<Self>, path: &str) -> Result<String, ApiCallError> {
        let session = self.fresh_session().await.map_err(ApiCallError::Renewal)?;
        let base = &self.config.api_base_url;
        match api::get(&self.http, base, path, &session.access_token).await {
            Err(ApiError::InvalidToken(_)) => {
                let session = self.refresh().await.map_err(ApiCallError::Renewal)?;
                api::get(&self.http, base, path, &session.access_token).await.map_err(ApiCallError::Api)
            }
            other => other.map_err(ApiCallError::Api),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiCallError {
    #[error("{0}")]
    Api(ApiError),
    #[error("{0}")]
    Renewal(AuthError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::http::Unreachable;
    use crate::oauth::provider_error::ProviderError;

    #[test]
    fn refresh_is_due_a_quarter_lifetime_before_expiry_within_bounds() {
        assert_eq!(refresh_lead_ms(600_000.0), 60_000.0);
        assert_eq!(refresh_lead_ms(120_000.0), 30_000.0);
        assert_eq!(refresh_lead_ms(4_000.0), 2_000.0);
    }

    #[test]
    fn failures_are_classified_for_the_person() {
        let unreachable = AuthError::ProviderUnreachable(Unreachable { url: "u".into() });
        assert_eq!(classify(&unreachable), RenewalFailure::Temporary);
        let outage = AuthError::Token(TokenError::UnexpectedStatus { status: 503, body: String::new() });
        assert_eq!(classify(&outage), RenewalFailure::Temporary);
        let revoked = AuthError::Token(TokenError::Provider(ProviderError::new("invalid_grant", None)));
        assert_eq!(classify(&revoked), RenewalFailure::SessionEnded);
        assert_eq!(classify(&AuthError::NoRefreshToken), RenewalFailure::SessionEnded);
    }

    #[test]
    fn retries_back_off_and_never_loop_hot() {
        let delays: Vec<f64> = (0..7).map(retry_delay_ms).collect();
        assert_eq!(delays, [2_000.0, 4_000.0, 8_000.0, 16_000.0, 30_000.0, 30_000.0, 30_000.0]);
        assert_eq!(retry_delay_ms(u32::MAX), 30_000.0);
    }
}
