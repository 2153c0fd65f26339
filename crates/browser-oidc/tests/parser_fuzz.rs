//! Property-based fuzzing of every parser that reads outside input: the
//! callback query, token and error responses, discovery, JWKS, JWT header
//! and payload, UserInfo, the Bearer challenge, config.json and the return
//! path. For any input: no panic, and the result is either a typed error or
//! a value that satisfies the checks.
//!
//! Bounded in the test command; for a longer run:
//! `PROPTEST_CASES=100000 cargo test --release --test parser_fuzz`
#![cfg(not(target_arch = "wasm32"))]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use browser_oidc::config::Config;
use browser_oidc::oauth::bearer::parse_bearer_challenge;
use browser_oidc::oauth::callback::{CallbackExpectations, check_callback, parse_callback_query};
use browser_oidc::oauth::discovery::{is_secure_url, parse_metadata};
use browser_oidc::oauth::endpoint_url::parse_endpoint_url;
use browser_oidc::oauth::id_token::{ExpectedClaims, parse_claims, verify_claims};
use browser_oidc::oauth::jwks::parse_jwk_set;
use browser_oidc::oauth::jwt::{SigningAlgorithm, parse_jws};
use browser_oidc::oauth::logout::check_logout_return;
use browser_oidc::oauth::return_path::safe_return_path;
use browser_oidc::oauth::secret::{CsrfState, Nonce};
use browser_oidc::oauth::token::parse_token_response;
use browser_oidc::oauth::userinfo::parse_userinfo;
use proptest::prelude::*;
use serde_json::Value;

const ISSUER: &str = "https://op.test";

/// Arbitrary JSON, biased towards the field names the parsers look for.
fn json() -> impl Strategy<Value = Value> {
    let names = prop_oneof![
        Just("issuer".to_owned()),
        Just("iss".to_owned()),
        Just("aud".to_owned()),
        Just("sub".to_owned()),
        Just("exp".to_owned()),
        Just("iat".to_owned()),
        Just("nonce".to_owned()),
        Just("keys".to_owned()),
        Just("kty".to_owned()),
        Just("alg".to_owned()),
        Just("access_token".to_owned()),
        Just("token_type".to_owned()),
        Just("error".to_owned()),
        Just("client_id".to_owned()),
        Just("redirect_uri".to_owned()),
        "[a-z_]{1,12}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        prop_oneof![Just(i64::MAX), Just(i64::MIN), Just(0), Just(-1)].prop_map(Value::from),
        Just(Value::from(u64::MAX)),
        any::<f64>().prop_map(Value::from),
        ".{0,24}".prop_map(Value::from),
        Just(Value::from(ISSUER)),
        Just(Value::from("demo-spa")),
        Just(Value::from("Bearer")),
        Just(Value::from("RS256")),
    ];
    leaf.prop_recursive(4, 48, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(names.clone(), inner, 0..8)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Text that is sometimes JSON and sometimes not.
fn body() -> impl Strategy<Value = String> {
    prop_oneof![
        json().prop_map(|v| v.to_string()),
        ".{0,200}",
        any::<Vec<u8>>().prop_map(|b| String::from_utf8_lossy(&b).into_owned())
    ]
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

proptest! {
    #[test]
    fn callback_query(query in ".{0,300}", pairs in prop::collection::vec(
        (prop_oneof![Just("code"), Just("state"), Just("iss"), Just("error"), Just("error_description"), Just("x")], ".{0,20}"),
        0..8,
    )) {
        let built: String = pairs.iter().map(|(k, v)| format!("{k}={}&", urlencode(v))).collect();
        for query in [query.as_str(), built.as_str()] {
            if let Ok(response) = parse_callback_query(query) {
                let state = CsrfState::new("the-state");
                let expected = CallbackExpectations { state: Some(&state), issuer: ISSUER, iss_required: true };
                let sent_state = response.state.clone();
                let sent_iss = response.iss.clone();
                if check_callback(response, &expected).is_ok() {
                    // Accepted only with exactly our state and our issuer.
                    prop_assert_eq!(sent_state.as_deref(), Some("the-state"));
                    prop_assert_eq!(sent_iss.as_deref(), Some(ISSUER));
                }
            }
        }
    }

    #[test]
    fn token_response(status in prop_oneof![Just(200u16), Just(400u16), any::<u16>()], body in body()) {
        if let Ok(response) = parse_token_response(status, &body) {
            prop_assert!((200..300).contains(&status));
            prop_assert!(response.token_type.eq_ignore_ascii_case("Bearer"));
        }
    }

    #[test]
    fn discovery_document(body in body()) {
        if let Ok(metadata) = parse_metadata(&body, ISSUER) {
            prop_assert_eq!(metadata.issuer.as_str(), ISSUER);
            prop_assert!(is_secure_url(&metadata.token_endpoint));
        }
    }

    #[test]
    fn jwks_document(body in body()) {
        let _ = parse_jwk_set(&body);
    }

    #[test]
    fn jwt_parts(header in json(), payload in json(), signature in any::<Vec<u8>>(), raw in ".{0,300}") {
        let token = format!("{}.{}.{}", b64(&header), b64(&payload), URL_SAFE_NO_PAD.encode(&signature));
        for token in [token.as_str(), raw.as_str()] {
            if let Ok(jws) = parse_jws(token) {
                prop_assert!(matches!(jws.header.alg, SigningAlgorithm::Rs256 | SigningAlgorithm::Ps256 | SigningAlgorithm::Es256));
                prop_assert!(!jws.signature.is_empty());
            }
        }
    }

    #[test]
    fn id_token_claims(
        payload in json(),
        field in prop_oneof![Just("iss"), Just("aud"), Just("azp"), Just("exp"), Just("iat"), Just("nonce"), Just("sub")],
        value in json(),
        now in any::<i32>(),
    ) {
        // Arbitrary claims, and valid claims with one field replaced, so
        // every check is reached.
        let mut one_off = serde_json::json!({"iss": ISSUER, "aud": "demo-spa", "sub": "alice",
            "exp": i64::from(now) + 300, "iat": i64::from(now), "nonce": "n"});
        one_off[field] = value;
        for payload in [payload, one_off] {
        if let Ok(claims) = parse_claims(payload.to_string().as_bytes()) {
            let nonce = Nonce::new("n");
            let expected = ExpectedClaims { issuer: ISSUER, client_id: "demo-spa", nonce: Some(&nonce), now_seconds: i64::from(now), leeway_seconds: 60 };
            if verify_claims(&claims, &expected).is_ok() {
                prop_assert_eq!(claims.iss.as_deref(), Some(ISSUER));
                prop_assert_eq!(claims.nonce.as_deref(), Some("n"));
                prop_assert!(claims.exp.unwrap().saturating_add(60) > i64::from(now));
            }
        }
        }
    }

    #[test]
    fn userinfo_response(status in any::<u16>(), body in body()) {
        if let Ok(claims) = parse_userinfo(status, &body, "alice") {
            prop_assert_eq!(claims.sub.as_str(), "alice");
        }
    }

    #[test]
    fn bearer_challenge(header in ".{0,200}") {
        let _ = parse_bearer_challenge(&header);
    }

    #[test]
    fn config_json(body in body(), fields in prop::collection::btree_map(
        prop_oneof![Just("issuer"), Just("client_id"), Just("redirect_uri"), Just("scopes"), Just("protected_apis"), Just("clock_leeway_seconds"), Just("fetch_userinfo")],
        prop_oneof![Just(Value::from("https://op.test")), Just(Value::from("http://127.0.0.1:8080/callback")), Just(Value::from("openid")), any::<i64>().prop_map(Value::from), ".{0,30}".prop_map(Value::from)],
        0..8,
    )) {
        let structured = Value::Object(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()).to_string();
        for body in [body.as_str(), structured.as_str()] {
            if let Ok(config) = Config::parse(body, "http://127.0.0.1:8080") {
                prop_assert!(config.scopes.split(' ').any(|s| s == "openid"));
                prop_assert!(config.redirect_uri.starts_with("http://127.0.0.1:8080/"));
            }
        }
    }

    /// Every URL the check accepts, the `url` crate (a WHATWG parser, as
    /// the browser's `fetch` is) reads with the same scheme, host and port,
    /// and with no userinfo or fragment; and plain safe URLs are accepted.
    #[test]
    fn endpoint_urls_agree_with_a_whatwg_parser(
        raw in ".{0,60}",
        scheme in pick(&["https", "http", "HTTPS", "ftp", "javascript"], "[a-z]{0,5}"),
        userinfo in pick(&["", "user@", "127.0.0.1:3000@", "u:p@", "@"], ""),
        host in pick(&[
            "id.example.com", "127.0.0.1", "localhost", "[::1]", "127.1", "0x7f.0.0.1", "example.0x10",
            "ex ample.com", "EXAMPLE.com", "-x.com", "xn--bcher-kva.example", "1.2.3.4", "256.1.1.1", "a..b",
            "[0::1]", "[a:]", "[::FFFF:1.2.3.4]", "[1::2::3]", "example.com.",
        ], "[a-z0-9.:%@\\[\\]-]{0,15}"),
        port in pick(&["", ":443", ":9000", ":", ":65536", ":0x50", ":08080"], ":[0-9]{0,6}"),
        tail in pick(&["", "/", "/a?b=c", "#f", "/\\x", "?@evil", "/a b"], "[/?#@a-z\\\\]{0,8}"),
    ) {
        let assembled = format!("{scheme}://{userinfo}{host}{port}{tail}");
        for candidate in [raw.as_str(), assembled.as_str()] {
            let Ok(parts) = parse_endpoint_url(candidate) else { continue };
            let oracle = url::Url::parse(candidate);
            prop_assert!(oracle.is_ok(), "accepted, but not a URL to a WHATWG parser: {}", candidate);
            let oracle = oracle.unwrap();
            let default_port = if parts.scheme == "https" { 443 } else { 80 };
            prop_assert_eq!(oracle.scheme(), parts.scheme.as_str(), "{}", candidate);
            prop_assert_eq!(oracle.host_str().unwrap_or_default(), parts.host.as_str(), "{}", candidate);
            prop_assert_eq!(oracle.port_or_known_default(), Some(parts.port.unwrap_or(default_port)), "{}", candidate);
            prop_assert!(oracle.username().is_empty() && oracle.password().is_none(), "userinfo in {}", candidate);
            prop_assert!(oracle.fragment().is_none(), "a fragment in {}", candidate);
            if oracle.scheme() == "http" {
                let loopback = matches!(oracle.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
                prop_assert!(loopback, "plain http to {}", candidate);
            }
        }
        // The plain, safe forms are accepted (the check is not a wall).
        let safe = matches!(scheme.as_str(), "https" | "HTTPS")
            && userinfo.is_empty()
            && matches!(host.as_str(), "id.example.com" | "EXAMPLE.com" | "xn--bcher-kva.example" | "1.2.3.4")
            && matches!(port.as_str(), "" | ":443" | ":9000")
            && matches!(tail.as_str(), "" | "/" | "/a?b=c");
        if safe {
            prop_assert!(parse_endpoint_url(&assembled).is_ok(), "refused: {}", assembled);
        }
    }

    #[test]
    fn return_path(candidate in ".{0,60}") {
        let path = safe_return_path(&candidate);
        prop_assert!(path.starts_with('/'));
        prop_assert!(!path.starts_with("//") && !path.contains('\\'));
    }

    #[test]
    fn logout_return(query in ".{0,100}") {
        let _ = check_logout_return(&query, Some(&CsrfState::new("s")));
    }
}

/// One of `options`, or something made by the regex `other`.
fn pick(options: &'static [&'static str], other: &'static str) -> BoxedStrategy<String> {
    prop_oneof![4 => prop::sample::select(options).prop_map(String::from), 1 => other].boxed()
}

fn urlencode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
