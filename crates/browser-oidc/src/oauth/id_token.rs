//! ID-token claim checks, in the order of OpenID Connect Core 1.0 §3.1.3.7.
//! (Steps 6–8, the signature and its algorithm, are done before these, by
//! `jwt::parse_jws` and WebCrypto.)

use super::secret::Nonce;
use crate::json::{self, Value};
use crate::messages::{Describe, Text, display_in_english};

/// `aud` is a string or an array of strings (RFC 7519 §4.1.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// A single audience, as a string.
    One(String),
    /// An array of audiences.
    Many(Vec<String>),
}

impl Audience {
    fn as_slice(&self) -> &[String] {
        match self {
            Self::One(one) => std::slice::from_ref(one),
            Self::Many(many) => many,
        }
    }

    /// `aud` is a set (RFC 7519 §4.1.3): order, repeats and the one-string
    /// form do not matter. (Compared pairwise, not through a sorted set,
    /// whose sort costs the wasm 5 KB for lists of one or two.)
    fn same_set(&self, other: &Audience) -> bool {
        let (a, b) = (self.as_slice(), other.as_slice());
        a.iter().all(|x| b.contains(x)) && b.iter().all(|x| a.contains(x))
    }
}

/// The claims of an ID token. Every claim the checks need is optional here,
/// so that a missing one fails its own check with its own error. `Debug`
/// hides the `nonce`.
#[derive(Clone, PartialEq, Eq)]
pub struct IdTokenClaims {
    /// The issuer; must be exactly the discovered one (step 2).
    pub iss: Option<String>,
    /// The subject: the person's stable identifier at the issuer.
    pub sub: Option<String>,
    /// The audience; must be this app's client id only.
    pub aud: Option<Audience>,
    /// The authorized party; if present, this app's client id.
    pub azp: Option<String>,
    /// Expiry time, in seconds since the Unix epoch.
    pub exp: Option<i64>,
    /// Issue time, in seconds since the Unix epoch.
    pub iat: Option<i64>,
    /// Echoes the authorization request's nonce (a replay check).
    pub nonce: Option<String>,
    /// When the person last authenticated, in seconds since the Unix epoch.
    pub auth_time: Option<i64>,
    /// The authentication context class the provider used, when it is a
    /// string (read leniently: another value counts as none, which matters
    /// only where an `acr` is required).
    pub acr: Option<String>,
    /// The person's full name, for display.
    pub name: Option<String>,
    /// The name the person prefers to be shown as; not unique, not an identifier.
    pub preferred_username: Option<String>,
    /// The person's email address; not necessarily verified.
    pub email: Option<String>,
}

impl std::fmt::Debug for IdTokenClaims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdTokenClaims")
            .field("iss", &self.iss)
            .field("sub", &self.sub)
            .field("aud", &self.aud)
            .field("azp", &self.azp)
            .field("exp", &self.exp)
            .field("iat", &self.iat)
            .field("nonce", &self.nonce.as_ref().map(|_| "[redacted]"))
            .field("auth_time", &self.auth_time)
            .field("acr", &self.acr)
            .field("name", &self.name)
            .field("preferred_username", &self.preferred_username)
            .field("email", &self.email)
            .finish()
    }
}

/// Why an ID token's claims were refused (OIDC Core §3.1.3.7 steps, where numbered).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdTokenError {
    /// The payload is not a JSON object of the expected claim types, or it
    /// names a claim twice.
    MalformedClaims,
    /// `max_age` was sent but `auth_time` is absent (OIDC Core §3.1.2.1).
    AuthTimeMissing,
    /// `auth_time` is older than `max_age` allows.
    AuthenticationTooOld,
    /// `acr` is not one of the required values.
    AcrNotSatisfied {
        /// The `acr` the provider used, if it said.
        found: Option<String>,
    },
    /// `iss` is not the configured issuer (step 2).
    IssuerMismatch {
        /// The issuer the token names.
        found: String,
    },
    /// `iss` is absent.
    IssuerMissing,
    /// `aud` is absent.
    AudienceMissing,
    /// `aud` does not include this app's client id (step 3).
    AudienceMismatch,
    /// `aud` also names another party, which this client does not trust (step 3).
    UntrustedAudience,
    /// Several audiences and no `azp` (step 4).
    AuthorizedPartyMissing,
    /// `azp` is another client's id (step 5).
    AuthorizedPartyMismatch,
    /// `exp` is absent.
    ExpiryMissing,
    /// `exp` has passed, beyond the leeway (step 9).
    Expired,
    /// `iat` is absent.
    IssuedAtMissing,
    /// `iat` is in the future, beyond the leeway (step 10): often a wrong device clock.
    IssuedInFuture,
    /// A nonce was sent but the token has none (step 11).
    NonceMissing,
    /// The nonce is not this sign-in's: a possible replay (step 11).
    NonceMismatch,
    /// `sub` is absent or empty (§2).
    SubjectMissing,
    /// A refreshed ID token describes another sign-in (§12.2); names the claim that changed.
    RefreshedIdentityChanged(&'static str),
    /// A refreshed ID token carries another `auth_time` (§12.2): the person
    /// signed in again at the provider, perhaps as someone else.
    DifferentSignIn,
}

/// What the claims must match; `now` comes from an injected clock.
pub struct ExpectedClaims<'a> {
    /// The issuer from the (checked) discovery document.
    pub issuer: &'a str,
    /// This app's client id: the one audience allowed.
    pub client_id: &'a str,
    /// The nonce sent with the authorization request. `None` only for a
    /// refreshed ID token, which need not carry one (§12.2).
    pub nonce: Option<&'a Nonce>,
    /// The current time, in seconds since the Unix epoch.
    pub now_seconds: i64,
    /// Tolerance for clock differences in the `exp` and `iat` checks.
    pub leeway_seconds: i64,
}

/// Reads an ID token's payload (already signature-checked) as claims.
pub fn parse_claims(payload: &[u8]) -> Result<IdTokenClaims, IdTokenError> {
    // RFC 7519 §4: a claims set that names a claim twice is refused.
    let raw: RawClaims = std::str::from_utf8(payload)
        .ok()
        .filter(|text| json::member_names(text).is_some())
        .and_then(json::parse)
        .ok_or(IdTokenError::MalformedClaims)?;
    // `aud` is a string or an array of strings (RFC 7519 §4.1.3).
    let aud = match raw.aud {
        None => None,
        Some(Value::String(one)) => Some(Audience::One(one)),
        Some(Value::Array(many)) => {
            let many = many.iter().map(|one| json::as_str(one).map(str::to_owned)).collect::<Option<_>>();
            Some(Audience::Many(many.ok_or(IdTokenError::MalformedClaims)?))
        }
        Some(_) => return Err(IdTokenError::MalformedClaims),
    };
    Ok(IdTokenClaims {
        iss: raw.iss,
        sub: raw.sub,
        aud,
        azp: raw.azp,
        exp: raw.exp,
        iat: raw.iat,
        nonce: raw.nonce,
        auth_time: raw.auth_time,
        acr: raw.acr.as_ref().and_then(json::as_str).map(str::to_owned),
        name: raw.name,
        preferred_username: raw.preferred_username,
        email: raw.email,
    })
}

/// The claims as sent, before `aud` and `acr` are given their types.
#[derive(miniserde::Deserialize)]
struct RawClaims {
    iss: Option<String>,
    sub: Option<String>,
    aud: Option<Value>,
    azp: Option<String>,
    exp: Option<i64>,
    iat: Option<i64>,
    nonce: Option<String>,
    auth_time: Option<i64>,
    acr: Option<Value>,
    name: Option<String>,
    preferred_username: Option<String>,
    email: Option<String>,
}

/// What one sign-in asked for beyond the standard checks (OIDC Core
/// §3.1.2.1 and §3.1.3.7 items 11 and 12): with `max_age`, `auth_time` must
/// be there and no older than `max_age` before the request was made
/// (`requested_at_seconds`: time on the provider's pages does not count);
/// with required `acr` values, `acr` must be one of them.
pub fn check_requested_authentication(
    claims: &IdTokenClaims,
    max_age: Option<u64>,
    required_acr: Option<&[String]>,
    requested_at_seconds: i64,
    leeway_seconds: i64,
) -> Result<(), IdTokenError> {
    if let Some(max_age) = max_age {
        let auth_time = claims.auth_time.ok_or(IdTokenError::AuthTimeMissing)?;
        let max_age = i64::try_from(max_age).unwrap_or(i64::MAX);
        if auth_time.saturating_add(max_age).saturating_add(leeway_seconds) < requested_at_seconds {
            return Err(IdTokenError::AuthenticationTooOld);
        }
    }
    let acr = claims.acr.as_deref();
    if let Some(required) = required_acr
        && !acr.is_some_and(|acr| required.iter().any(|value| value == acr))
    {
        return Err(IdTokenError::AcrNotSatisfied { found: acr.map(str::to_owned) });
    }
    Ok(())
}

/// The claim checks of OIDC Core §3.1.3.7 (steps 2–5 and 9–11) and §2's
/// required `sub`; the signature must have been checked already.
pub fn verify_claims(claims: &IdTokenClaims, expected: &ExpectedClaims<'_>) -> Result<(), IdTokenError> {
    // 2. The issuer must exactly match the discovered issuer.
    match claims.iss.as_deref() {
        None => return Err(IdTokenError::IssuerMissing),
        Some(iss) if iss != expected.issuer => {
            return Err(IdTokenError::IssuerMismatch { found: iss.to_owned() });
        }
        Some(_) => {}
    }

    // 3. `aud` must contain our client_id; any other audience is untrusted.
    let audiences = claims.aud.as_ref().ok_or(IdTokenError::AudienceMissing)?.as_slice();
    if !audiences.iter().any(|aud| aud == expected.client_id) {
        return Err(IdTokenError::AudienceMismatch);
    }
    if audiences.iter().any(|aud| aud != expected.client_id) {
        return Err(IdTokenError::UntrustedAudience);
    }

    // 4. Several audiences need an `azp`. (Unreachable after step 3 unless
    // the client_id is repeated, but kept so the rule stands on its own.)
    if audiences.len() > 1 && claims.azp.is_none() {
        return Err(IdTokenError::AuthorizedPartyMissing);
    }
    // 5. If present, `azp` is our client_id.
    if claims.azp.as_deref().is_some_and(|azp| azp != expected.client_id) {
        return Err(IdTokenError::AuthorizedPartyMismatch);
    }

    // 9. The current time must be before `exp` (with a small leeway).
    let exp = claims.exp.ok_or(IdTokenError::ExpiryMissing)?;
    if expected.now_seconds >= exp.saturating_add(expected.leeway_seconds) {
        return Err(IdTokenError::Expired);
    }

    // 10. `iat` must be present and not in the future beyond the leeway.
    let iat = claims.iat.ok_or(IdTokenError::IssuedAtMissing)?;
    if iat > expected.now_seconds.saturating_add(expected.leeway_seconds) {
        return Err(IdTokenError::IssuedInFuture);
    }

    // 11. The nonce must equal the one sent (compared in constant time).
    if let Some(nonce) = expected.nonce {
        let found = claims.nonce.as_deref().ok_or(IdTokenError::NonceMissing)?;
        if !nonce.matches(found) {
            return Err(IdTokenError::NonceMismatch);
        }
    }

    // §2: `sub` is required and must not be empty.
    if claims.sub.as_deref().is_none_or(str::is_empty) {
        return Err(IdTokenError::SubjectMissing);
    }
    Ok(())
}

/// OpenID Connect Core §12.2: a refreshed ID token must describe the same
/// sign-in: same `iss`, `sub`, `aud` and `azp` (none if the original had
/// none), and, if it carries an `auth_time`, the original sign-in's.
pub fn check_refreshed_claims(
    original: &IdTokenClaims,
    refreshed: &IdTokenClaims,
) -> Result<(), IdTokenError> {
    check_same_person(original, refreshed)?;
    if original.auth_time.is_some() && refreshed.auth_time.is_some() && original.auth_time != refreshed.auth_time {
        return Err(IdTokenError::DifferentSignIn);
    }
    Ok(())
}

/// A session renewed by a new sign-in (`prompt=none` in a hidden frame)
/// must name the same person for the same app: same `iss`, `sub`, `aud`
/// and `azp`. Its `auth_time` may be newer: the person may have signed in
/// at the provider again meanwhile.
pub fn check_same_person(original: &IdTokenClaims, renewed: &IdTokenClaims) -> Result<(), IdTokenError> {
    let same = [
        ("issuer (iss)", original.iss == renewed.iss),
        ("person (sub)", original.sub == renewed.sub),
        (
            "audience (aud)",
            match (&original.aud, &renewed.aud) {
                (Some(original), Some(renewed)) => original.same_set(renewed),
                (original, renewed) => original.is_none() && renewed.is_none(),
            },
        ),
        ("authorized party (azp)", original.azp == renewed.azp),
    ];
    if let Some((what, _)) = same.into_iter().find(|(_, same)| !same) {
        return Err(IdTokenError::RefreshedIdentityChanged(what));
    }
    Ok(())
}

impl Describe for IdTokenError {
    fn text(&self) -> Text {
        let id = match self {
            Self::MalformedClaims => "id_token.malformed_claims",
            Self::AuthTimeMissing => "id_token.auth_time_missing",
            Self::AuthenticationTooOld => "id_token.authentication_too_old",
            Self::AcrNotSatisfied { found } => {
                let found = match found {
                    Some(acr) => Text::new("quoted").quoting("value", acr),
                    None => Text::new("id_token.acr_none"),
                };
                return Text::new("id_token.acr_not_satisfied").with("found", found);
            }
            Self::IssuerMismatch { found } => {
                return Text::new("id_token.issuer_mismatch").quoting("found", found);
            }
            Self::IssuerMissing => "id_token.issuer_missing",
            Self::AudienceMissing => "id_token.audience_missing",
            Self::AudienceMismatch => "id_token.audience_mismatch",
            Self::UntrustedAudience => "id_token.untrusted_audience",
            Self::AuthorizedPartyMissing => "id_token.authorized_party_missing",
            Self::AuthorizedPartyMismatch => "id_token.authorized_party_mismatch",
            Self::ExpiryMissing => "id_token.expiry_missing",
            Self::Expired => "id_token.expired",
            Self::IssuedAtMissing => "id_token.issued_at_missing",
            Self::IssuedInFuture => "id_token.issued_in_future",
            Self::NonceMissing => "id_token.nonce_missing",
            Self::NonceMismatch => "id_token.nonce_mismatch",
            Self::SubjectMissing => "id_token.subject_missing",
            Self::RefreshedIdentityChanged(claim) => {
                return Text::new("id_token.refreshed_identity_changed").quoting("claim", claim);
            }
            Self::DifferentSignIn => "id_token.different_sign_in",
        };
        Text::new(id)
    }
}

display_in_english!(IdTokenError);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: i64 = 1_800_000_000;
    const ISSUER: &str = "http://127.0.0.1:9000";

    fn good() -> serde_json::Value {
        json!({
            "iss": ISSUER, "sub": "alice", "aud": "demo-spa",
            "exp": NOW + 300, "iat": NOW - 5, "nonce": "n-1",
            "name": "Alice Liddell", "email": "alice@example.com"
        })
    }

    fn check(claims: serde_json::Value) -> Result<(), IdTokenError> {
        let nonce = Nonce::new("n-1");
        let claims = parse_claims(claims.to_string().as_bytes())?;
        verify_claims(
            &claims,
            &ExpectedClaims {
                issuer: ISSUER,
                client_id: "demo-spa",
                nonce: Some(&nonce),
                now_seconds: NOW,
                leeway_seconds: 30,
            },
        )
    }

    fn with(key: &str, value: serde_json::Value) -> serde_json::Value {
        let mut claims = good();
        claims[key] = value;
        claims
    }

    /// RFC 7519 §4 lets a parser refuse a repeated claim or take its last
    /// value. Ours refuses, whichever claim it is and whatever the values.
    #[test]
    fn a_repeated_claim_is_refused() {
        let good = good().to_string();
        assert!(parse_claims(good.as_bytes()).is_ok());
        for (claim, again) in [("sub", r#""mallory""#), ("aud", r#"["demo-spa"]"#), ("exp", "1"), ("nonce", "null")] {
            let repeated = format!(r#"{},"{claim}":{again}}}"#, good.trim_end_matches('}'));
            assert_eq!(parse_claims(repeated.as_bytes()), Err(IdTokenError::MalformedClaims), "{repeated}");
        }
        let unknown = format!(r#"{},"x":1,"x":2}}"#, good.trim_end_matches('}'));
        assert_eq!(parse_claims(unknown.as_bytes()), Err(IdTokenError::MalformedClaims), "any claim");
    }

    #[test]
    fn time_claims_are_integers() {
        for exp in [json!(1.5), json!(1e10), json!("1800000300"), json!(-1.0)] {
            let parsed = parse_claims(with("exp", exp.clone()).to_string().as_bytes());
            assert_eq!(parsed, Err(IdTokenError::MalformedClaims), "{exp}");
        }
    }

    #[test]
    fn aud_is_a_string_or_an_array_of_strings_only() {
        for aud in [json!(1), json!(["demo-spa", 1]), json!({"demo-spa": true}), json!([["demo-spa"]])] {
            let parsed = parse_claims(with("aud", aud.clone()).to_string().as_bytes());
            assert_eq!(parsed, Err(IdTokenError::MalformedClaims), "{aud}");
        }
        assert_eq!(check(with("aud", json!(null))), Err(IdTokenError::AudienceMissing), "null is no audience");
    }

    #[test]
    fn max_age_needs_an_auth_time_within_it_and_the_leeway() {
        let claims = |auth_time: Option<i64>| {
            let value = match auth_time {
                Some(at) => with("auth_time", json!(at)),
                None => without("auth_time"),
            };
            parse_claims(value.to_string().as_bytes()).unwrap()
        };
        let check = |auth_time, max_age| check_requested_authentication(&claims(auth_time), max_age, None, NOW, 30);
        assert_eq!(check(Some(NOW - 100), Some(300)), Ok(()));
        assert_eq!(check(Some(NOW - 330), Some(300)), Ok(()), "within the leeway");
        assert_eq!(check(Some(NOW - 331), Some(300)), Err(IdTokenError::AuthenticationTooOld));
        assert_eq!(check(None, Some(300)), Err(IdTokenError::AuthTimeMissing));
        assert_eq!(check(None, None), Ok(()), "nothing asked, nothing checked");
        assert_eq!(check(Some(NOW - 10), Some(u64::MAX)), Ok(()), "no overflow");
    }

    #[test]
    fn a_required_acr_must_be_one_of_those_asked_for() {
        let claims = |acr: Option<&str>| {
            let value = match acr {
                Some(acr) => with("acr", json!(acr)),
                None => without("acr"),
            };
            parse_claims(value.to_string().as_bytes()).unwrap()
        };
        let required = ["gold".to_owned(), "silver".to_owned()];
        let check = |acr| check_requested_authentication(&claims(acr), None, Some(&required), NOW, 30);
        assert_eq!(check(Some("silver")), Ok(()));
        assert_eq!(check(Some("bronze")), Err(IdTokenError::AcrNotSatisfied { found: Some("bronze".into()) }));
        assert_eq!(check(None), Err(IdTokenError::AcrNotSatisfied { found: None }));
        assert_eq!(check_requested_authentication(&claims(Some("bronze")), None, None, NOW, 30), Ok(()));
        // An acr that is not a string is no sign-in error unless one is required.
        let odd = parse_claims(with("acr", json!(2)).to_string().as_bytes()).unwrap();
        assert_eq!(check_requested_authentication(&odd, None, None, NOW, 30), Ok(()));
        let refused = check_requested_authentication(&odd, None, Some(&required), NOW, 30);
        assert_eq!(refused, Err(IdTokenError::AcrNotSatisfied { found: None }));
    }

    fn without(key: &str) -> serde_json::Value {
        let mut claims = good();
        claims.as_object_mut().unwrap().remove(key);
        claims
    }

    #[test]
    fn valid_claims_pass() {
        assert_eq!(check(good()), Ok(()));
        assert_eq!(check(with("aud", json!(["demo-spa"]))), Ok(()));
        assert_eq!(check(with("azp", json!("demo-spa"))), Ok(()));
    }

    #[test]
    fn invalid_iss() {
        assert_eq!(
            check(with("iss", json!("https://evil.example"))),
            Err(IdTokenError::IssuerMismatch { found: "https://evil.example".into() })
        );
        assert_eq!(check(without("iss")), Err(IdTokenError::IssuerMissing));
    }

    #[test]
    fn invalid_aud() {
        assert_eq!(check(with("aud", json!("other-app"))), Err(IdTokenError::AudienceMismatch));
    }

    #[test]
    fn missing_aud() {
        assert_eq!(check(without("aud")), Err(IdTokenError::AudienceMissing));
    }

    #[test]
    fn secondary_untrusted_aud() {
        let claims = with("aud", json!(["demo-spa", "https://untrusted.example"]));
        assert_eq!(check(claims), Err(IdTokenError::UntrustedAudience));
    }

    #[test]
    fn several_audiences_need_azp() {
        assert_eq!(
            check(with("aud", json!(["demo-spa", "demo-spa"]))),
            Err(IdTokenError::AuthorizedPartyMissing)
        );
    }

    #[test]
    fn azp_must_be_our_client() {
        assert_eq!(check(with("azp", json!("other-app"))), Err(IdTokenError::AuthorizedPartyMismatch));
    }

    #[test]
    fn exp_expired_and_missing() {
        assert_eq!(check(with("exp", json!(NOW - 31))), Err(IdTokenError::Expired));
        assert_eq!(check(with("exp", json!(NOW - 30))), Err(IdTokenError::Expired));
        assert_eq!(check(with("exp", json!(NOW - 29))), Ok(()), "within the leeway");
        assert_eq!(check(without("exp")), Err(IdTokenError::ExpiryMissing));
    }

    #[test]
    fn missing_iat_and_iat_in_the_future() {
        assert_eq!(check(without("iat")), Err(IdTokenError::IssuedAtMissing));
        assert_eq!(check(with("iat", json!(NOW + 31))), Err(IdTokenError::IssuedInFuture));
        assert_eq!(check(with("iat", json!(NOW + 30))), Ok(()), "within the leeway");
    }

    #[test]
    fn nonce_invalid_and_missing() {
        assert_eq!(check(with("nonce", json!("n-2"))), Err(IdTokenError::NonceMismatch));
        assert_eq!(check(without("nonce")), Err(IdTokenError::NonceMissing));
    }

    #[test]
    fn missing_sub() {
        assert_eq!(check(without("sub")), Err(IdTokenError::SubjectMissing));
        assert_eq!(check(with("sub", json!(""))), Err(IdTokenError::SubjectMissing));
    }

    #[test]
    fn a_refreshed_id_token_must_keep_iss_sub_aud_and_auth_time() {
        let original = parse_claims(with("auth_time", json!(NOW - 100)).to_string().as_bytes()).unwrap();
        let refreshed = |key: &str, value: serde_json::Value| {
            let mut claims = with("auth_time", json!(NOW - 100));
            claims[key] = value;
            parse_claims(claims.to_string().as_bytes()).unwrap()
        };
        assert_eq!(check_refreshed_claims(&original, &refreshed("iat", json!(NOW + 1))), Ok(()));
        for (key, value, what) in [
            ("iss", json!("https://evil.example"), "issuer (iss)"),
            ("sub", json!("mallory"), "person (sub)"),
            ("aud", json!(["demo-spa", "other"]), "audience (aud)"),
        ] {
            assert_eq!(
                check_refreshed_claims(&original, &refreshed(key, value)),
                Err(IdTokenError::RefreshedIdentityChanged(what))
            );
        }
        assert_eq!(
            check_refreshed_claims(&original, &refreshed("auth_time", json!(NOW))),
            Err(IdTokenError::DifferentSignIn)
        );
        // §12.2 binds `auth_time` only when the refreshed token carries one.
        let without_auth_time = parse_claims(good().to_string().as_bytes()).unwrap();
        assert_eq!(check_refreshed_claims(&original, &without_auth_time), Ok(()));
    }

    #[test]
    fn a_refreshed_id_token_may_restate_the_same_aud_set() {
        let claims = |aud: serde_json::Value| parse_claims(with("aud", aud).to_string().as_bytes()).unwrap();
        for (original, refreshed) in [
            (json!("demo-spa"), json!(["demo-spa"])),
            (json!(["demo-spa"]), json!("demo-spa")),
            (json!(["demo-spa", "other"]), json!(["other", "demo-spa"])),
            (json!(["demo-spa", "demo-spa"]), json!("demo-spa")),
        ] {
            assert_eq!(
                check_refreshed_claims(&claims(original.clone()), &claims(refreshed.clone())),
                Ok(()),
                "{original} then {refreshed}"
            );
        }
        // A set that grew or shrank, either way round.
        for (original, refreshed) in [
            (json!("demo-spa"), json!(["demo-spa", "other"])),
            (json!(["demo-spa", "other"]), json!("demo-spa")),
        ] {
            assert_eq!(
                check_refreshed_claims(&claims(original.clone()), &claims(refreshed.clone())),
                Err(IdTokenError::RefreshedIdentityChanged("audience (aud)")),
                "{original} then {refreshed}"
            );
        }
    }

    #[test]
    fn a_refreshed_id_token_must_keep_azp() {
        let claims = |azp: Option<&str>| {
            let claims = match azp {
                Some(azp) => with("azp", json!(azp)),
                None => good(),
            };
            parse_claims(claims.to_string().as_bytes()).unwrap()
        };
        let changed = Err(IdTokenError::RefreshedIdentityChanged("authorized party (azp)"));
        assert_eq!(check_refreshed_claims(&claims(Some("demo-spa")), &claims(Some("other-app"))), changed);
        assert_eq!(check_refreshed_claims(&claims(Some("demo-spa")), &claims(None)), changed, "dropped");
        assert_eq!(check_refreshed_claims(&claims(Some("demo-spa")), &claims(Some("demo-spa"))), Ok(()));
        assert_eq!(check_refreshed_claims(&claims(None), &claims(None)), Ok(()));
        // "If no azp Claim was present in the original ID Token, one MUST NOT
        // be present in the new ID Token" (§12.2).
        assert_eq!(check_refreshed_claims(&claims(None), &claims(Some("demo-spa"))), changed, "added");
    }

    #[test]
    fn extreme_times_do_not_overflow() {
        assert_eq!(check(with("exp", json!(i64::MAX))), Ok(()));
        assert_eq!(check(with("exp", json!(i64::MIN))), Err(IdTokenError::Expired));
        assert_eq!(check(with("iat", json!(i64::MAX))), Err(IdTokenError::IssuedInFuture));
        assert_eq!(check(with("iat", json!(i64::MIN))), Ok(()));
    }

    #[test]
    fn wrongly_typed_claims_are_malformed() {
        assert_eq!(check(with("exp", json!("tomorrow"))), Err(IdTokenError::MalformedClaims));
        assert_eq!(check(with("aud", json!(42))), Err(IdTokenError::MalformedClaims));
    }

    #[test]
    fn debug_shows_the_claims_but_not_the_nonce() {
        let claims = parse_claims(br#"{"sub":"alice","nonce":"n-secret-value"}"#).unwrap();
        let shown = format!("{claims:?}");
        assert!(shown.contains(r#"sub: Some("alice")"#), "{shown}");
        assert!(!shown.contains("n-secret-value"), "{shown}");
    }
}
