//! When to renew and when to try again: plain arithmetic on milliseconds,
//! so every bound is tested natively.

use super::tokens::Session;

/// Never two refresh requests closer than this, whatever the token's
/// lifetime: with 1-second tokens the app once sent 813 refreshes in 8 s.
pub const MIN_REFRESH_INTERVAL_MS: u64 = 5_000;

/// How long after a safe moment the page may still leave for a renewal.
pub const SAFE_MOMENT_MS: u64 = 2_000;

/// The life a token handed out for the app's own request must have left.
pub const AUTHORIZE_MARGIN_MS: u64 = 30_000;

/// The longest delay a browser timer takes: `setTimeout` stores it in a
/// signed 32-bit integer, and anything longer fires at once.
pub const MAX_TIMER_DELAY_MS: u64 = i32::MAX as u64;

/// How long a sign-out waits for an in-flight refresh (whose answer holds
/// the newest refresh token, to be revoked) before it goes on regardless.
pub const SIGN_OUT_WAIT_MS: u64 = 5_000;

/// A silent re-sign-in whose navigation has not happened after this long
/// (cancelled, or the page was kept) is tried again.
pub const REAUTHENTICATION_WAIT_MS: u64 = 30_000;

/// A session is renewed by a silent re-sign-in at most once a minute (it
/// reloads the page), so a provider that keeps failing cannot cause a loop.
pub const RESIGN_IN_INTERVAL_MS: u64 = 60_000;

/// The JWKS is fetched again for an unknown `kid` at most this often.
pub const JWKS_REFETCH_INTERVAL_MS: u64 = 10_000;

/// One silent restore per tab per minute, so a failing provider can never
/// cause a redirect loop.
pub const SILENT_ATTEMPT_INTERVAL_MS: u64 = 60_000;

/// The provider's metadata found while the signed-out page was read is used
/// by a click this soon after; a tab left open longer discovers afresh.
pub const DISCOVERY_FRESH_MS: u64 = 300_000;

/// A server's `Retry-After` is honoured up to this long.
pub const MAX_RETRY_AFTER_MS: u64 = 600_000;

/// How long before expiry to refresh: a quarter of the token's lifetime,
/// at least 2 s and at most 60 s.
pub fn refresh_lead_ms(lifetime_ms: u64) -> u64 {
    (lifetime_ms / 4).clamp(2_000, 60_000)
}

/// When the session should be renewed (ms since epoch, local clock), or
/// `None` when the provider gave no lifetime.
pub fn refresh_due_at(session: &Session) -> Option<u64> {
    let expires_at = session.access_token_expires_at_ms?;
    let lifetime = expires_at.saturating_sub(session.received_at_ms);
    Some(expires_at.saturating_sub(refresh_lead_ms(lifetime)))
}

/// When a session without a refresh token may be renewed: from half its
/// access token's lifetime (never later than a refresh would be due), so
/// that the moments when the page may leave for a re-sign-in (a page
/// change, an idle page) have time to come before the token expires.
pub fn re_sign_in_due_at(session: &Session) -> Option<u64> {
    let expires_at = session.access_token_expires_at_ms?;
    let half_life = expires_at.saturating_sub(session.received_at_ms) / 2;
    Some(session.received_at_ms.saturating_add(half_life).min(refresh_due_at(session)?))
}

/// Retry delays after temporary failures: 2, 4, 8, 16, then every 30 s.
pub fn retry_delay_ms(failures: u32) -> u64 {
    (2_000u64 << failures.saturating_sub(1).min(10)).min(30_000)
}

/// `Retry-After` as delta-seconds (RFC 9110 §10.2.3), capped; an HTTP-date
/// or garbage reads as absent, and the backoff applies instead.
pub fn retry_after_ms(header: Option<&str>) -> Option<u64> {
    let seconds: u64 = header?.trim().parse().ok()?;
    Some(seconds.saturating_mul(1000).min(MAX_RETRY_AFTER_MS))
}

/// A delay a browser timer can hold.
pub fn timer_delay(from_ms: u64, until_ms: u64) -> u32 {
    until_ms.saturating_sub(from_ms).min(MAX_TIMER_DELAY_MS) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_is_due_a_quarter_lifetime_before_expiry_within_bounds() {
        assert_eq!(refresh_lead_ms(600_000), 60_000);
        assert_eq!(refresh_lead_ms(120_000), 30_000);
        assert_eq!(refresh_lead_ms(4_000), 2_000);
        assert_eq!(refresh_lead_ms(0), 2_000);
    }

    #[test]
    fn without_a_refresh_token_renewal_is_due_from_half_the_lifetime() {
        use crate::oauth::secret::{AccessToken, IdToken};
        use crate::session::tokens::User;
        let session = |received_at_ms, access_token_expires_at_ms| Session {
            access_token: AccessToken::new("at"),
            refresh_token: None,
            id_token: IdToken::new("id"),
            id_token_claims: crate::oauth::id_token::parse_claims(b"{}").unwrap(),
            received_at_ms,
            user: User { subject: "alice".into(), name: None, email: None },
            access_token_expires_at_ms,
            scope: None,
            dpop: false,
        };
        assert_eq!(re_sign_in_due_at(&session(1_000, Some(3_601_000))), Some(1_801_000));
        assert_eq!(re_sign_in_due_at(&session(0, Some(300_000))), Some(150_000));
        // Never after a refresh would be due (2 s before expiry at least).
        assert_eq!(re_sign_in_due_at(&session(0, Some(3_000))), Some(1_000));
        assert_eq!(re_sign_in_due_at(&session(0, None)), None);
    }

    #[test]
    fn retries_back_off_and_never_loop_hot() {
        let delays: Vec<u64> = (1..8).map(retry_delay_ms).collect();
        assert_eq!(delays, [2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
        assert_eq!(retry_delay_ms(0), 2_000);
        assert_eq!(retry_delay_ms(u32::MAX), 30_000);
    }

    #[test]
    fn retry_after_reads_delta_seconds_only() {
        assert_eq!(retry_after_ms(Some("7")), Some(7_000));
        assert_eq!(retry_after_ms(Some(" 120 ")), Some(120_000));
        assert_eq!(retry_after_ms(Some("99999999999999999")), Some(MAX_RETRY_AFTER_MS));
        assert_eq!(retry_after_ms(Some("Wed, 21 Oct 2015 07:28:00 GMT")), None);
        assert_eq!(retry_after_ms(Some("-1")), None);
        assert_eq!(retry_after_ms(None), None);
    }

    #[test]
    fn timer_delays_fit_a_browser_timer() {
        assert_eq!(timer_delay(1_000, 500), 0, "a moment in the past fires at once");
        assert_eq!(timer_delay(0, 5_000), 5_000);
        // 10^10 s (`expires_in` of a provider that means "never"): clamped,
        // not wrapped into a negative delay that fires at once.
        assert_eq!(timer_delay(0, 10_000_000_000_000), i32::MAX as u32);
        assert_eq!(timer_delay(0, u64::MAX), i32::MAX as u32);
    }
}
