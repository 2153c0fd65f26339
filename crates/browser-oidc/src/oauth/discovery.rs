//! OpenID Provider discovery (OpenID Connect Discovery 1.0, RFC 8414).
//!
//! Endpoints are learned from the provider's metadata rather than hard-coded
//! (RFC 9700 §2.6), so one build works with any standard provider.

use miniserde::{Deserialize, Serialize};

pub use super::endpoint_url::is_secure_url;
use super::pkce::CHALLENGE_METHOD;
use crate::messages::{Describe, Text, display_in_english};

/// Where the metadata of `issuer` lives (Discovery §4).
pub fn discovery_url(issuer: &str) -> String {
    format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'))
}

/// The parts of the provider's metadata this client uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderMetadata {
    /// The provider's issuer identifier; must equal the configured one.
    pub issuer: String,
    /// Where the browser is sent to sign in (RFC 6749 §3.1).
    pub authorization_endpoint: String,
    /// Where codes and refresh tokens are exchanged for tokens (RFC 6749 §3.2).
    pub token_endpoint: String,
    /// The provider's signing keys, for checking ID tokens.
    pub jwks_uri: String,
    /// The UserInfo endpoint (OIDC Core §5.3), if offered.
    pub userinfo_endpoint: Option<String>,
    /// The RP-initiated logout endpoint, if offered.
    pub end_session_endpoint: Option<String>,
    /// The token revocation endpoint (RFC 7009), if offered.
    pub revocation_endpoint: Option<String>,
    /// Must include `code`: the only flow this client uses. (Required by
    /// Discovery §3; absent, it counts as empty.)
    pub response_types_supported: Option<Vec<String>>,
    /// `None` when the provider does not say; a list must include `S256`.
    pub code_challenge_methods_supported: Option<Vec<String>>,
    /// RFC 9207 §3: when true, a missing `iss` in the callback is a
    /// rejection. Absent means false.
    pub authorization_response_iss_parameter_supported: Option<bool>,
    /// RFC 9449 §5.1: the proof algorithms the token endpoint takes; this
    /// client signs with ES256. Absent: no DPoP.
    pub dpop_signing_alg_values_supported: Option<Vec<String>>,
}

impl ProviderMetadata {
    /// Does the provider take this client's DPoP proofs (ES256)?
    pub fn supports_dpop(&self) -> bool {
        self.dpop_signing_alg_values_supported.iter().flatten().any(|alg| alg == "ES256")
    }

    /// Must the callback carry `iss` (RFC 9207 §2.4)?
    pub fn requires_iss_parameter(&self) -> bool {
        self.authorization_response_iss_parameter_supported == Some(true)
    }
}

/// Why a discovery document was refused; this client will not use the provider.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DiscoveryError {
    /// The document is not valid JSON of the expected shape; what is
    /// wrong, in English for developers (`Debug`).
    Malformed(String),
    /// The discovery URL answered with this HTTP status, not 200.
    UnexpectedStatus(u16),
    /// DPoP is required, and the provider does not take ES256 proofs
    /// (`dpop_signing_alg_values_supported`).
    DpopUnsupported,
    /// The document names another issuer (Discovery §4.3).
    IssuerMismatch {
        /// The configured issuer.
        expected: String,
        /// The issuer the document names.
        found: String,
    },
    /// `response_types_supported` lacks `code`.
    CodeFlowUnsupported,
    /// `code_challenge_methods_supported` lacks `S256`.
    PkceS256Unsupported,
    /// An endpoint is not HTTPS (or loopback HTTP).
    InsecureEndpoint {
        /// The metadata field holding the endpoint.
        field: &'static str,
        /// The refused URL.
        url: String,
    },
}

/// Parses and checks a discovery document fetched for `expected_issuer`.
pub fn parse_metadata(body: &str, expected_issuer: &str) -> Result<ProviderMetadata, DiscoveryError> {
    let metadata: ProviderMetadata = crate::json::parse(body).ok_or_else(|| {
        let why = match crate::json::parse::<crate::json::Object>(body) {
            None => "not valid JSON, or not an object",
            Some(_) => {
                "a required field (issuer, authorization_endpoint, token_endpoint, jwks_uri) is missing, \
                 or a field has the wrong type"
            }
        };
        DiscoveryError::Malformed(why.to_owned())
    })?;
    metadata.check(expected_issuer)
}

impl ProviderMetadata {
    /// The checks every document must pass, whether fetched just now or
    /// kept from the start of a sign-in.
    pub fn check(self, expected_issuer: &str) -> Result<Self, DiscoveryError> {
        // Discovery §4.3: the issuer must be exactly the one we asked about,
        // or an attacker-controlled document could redirect us elsewhere.
        if self.issuer != expected_issuer {
            return Err(DiscoveryError::IssuerMismatch {
                expected: expected_issuer.to_owned(),
                found: self.issuer,
            });
        }
        if !self.response_types_supported.iter().flatten().any(|t| t == "code") {
            return Err(DiscoveryError::CodeFlowUnsupported);
        }
        // RFC 8414 §2: an absent list means "unknown"; a list without S256
        // means the provider would silently ignore our challenge.
        if let Some(methods) = &self.code_challenge_methods_supported
            && !methods.iter().any(|m| m == CHALLENGE_METHOD)
        {
            return Err(DiscoveryError::PkceS256Unsupported);
        }
        let endpoints = [
            ("authorization_endpoint", Some(&self.authorization_endpoint)),
            ("token_endpoint", Some(&self.token_endpoint)),
            ("jwks_uri", Some(&self.jwks_uri)),
            ("userinfo_endpoint", self.userinfo_endpoint.as_ref()),
            ("end_session_endpoint", self.end_session_endpoint.as_ref()),
            ("revocation_endpoint", self.revocation_endpoint.as_ref()),
        ];
        for (field, url) in endpoints {
            if let Some(url) = url.filter(|url| !is_secure_url(url)) {
                return Err(DiscoveryError::InsecureEndpoint { field, url: url.clone() });
            }
        }
        Ok(self)
    }
}

impl Describe for DiscoveryError {
    fn text(&self) -> Text {
        match self {
            Self::Malformed(_) => Text::new("discovery.malformed"),
            Self::UnexpectedStatus(status) => Text::new("discovery.unexpected_status").quoting("status", status),
            Self::DpopUnsupported => Text::new("discovery.dpop_unsupported"),
            Self::IssuerMismatch { expected, found } => {
                Text::new("discovery.issuer_mismatch").quoting("expected", expected).quoting("found", found)
            }
            Self::CodeFlowUnsupported => Text::new("discovery.code_flow_unsupported"),
            Self::PkceS256Unsupported => Text::new("discovery.pkce_s256_unsupported"),
            Self::InsecureEndpoint { field, url } => {
                Text::new("discovery.insecure_endpoint").quoting("field", field).quoting("url", url)
            }
        }
    }
}

display_in_english!(DiscoveryError);

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const ISSUER: &str = "http://127.0.0.1:9000";

    pub(crate) fn metadata_json() -> serde_json::Value {
        serde_json::json!({
            "issuer": ISSUER,
            "authorization_endpoint": "http://127.0.0.1:9000/auth",
            "token_endpoint": "http://127.0.0.1:9000/token",
            "jwks_uri": "http://127.0.0.1:9000/jwks",
            "userinfo_endpoint": "http://127.0.0.1:9000/me",
            "end_session_endpoint": "http://127.0.0.1:9000/session/end",
            "response_types_supported": ["code"],
            "code_challenge_methods_supported": ["S256"],
            "authorization_response_iss_parameter_supported": true
        })
    }

    #[test]
    fn discovery_url_is_below_the_issuer() {
        assert_eq!(
            discovery_url("https://id.example.com/realms/demo/"),
            "https://id.example.com/realms/demo/.well-known/openid-configuration"
        );
    }

    #[test]
    fn accepts_a_standard_document() {
        let metadata = parse_metadata(&metadata_json().to_string(), ISSUER).unwrap();
        assert_eq!(metadata.token_endpoint, "http://127.0.0.1:9000/token");
        assert!(metadata.requires_iss_parameter());
    }

    #[test]
    fn discovery_issuer_mismatch_is_rejected() {
        let mut doc = metadata_json();
        doc["issuer"] = "http://127.0.0.1:9000/other".into();
        assert_eq!(
            parse_metadata(&doc.to_string(), ISSUER),
            Err(DiscoveryError::IssuerMismatch {
                expected: ISSUER.into(),
                found: "http://127.0.0.1:9000/other".into()
            })
        );
    }

    #[test]
    fn a_provider_without_s256_is_rejected() {
        let mut doc = metadata_json();
        doc["code_challenge_methods_supported"] = serde_json::json!(["plain"]);
        assert_eq!(parse_metadata(&doc.to_string(), ISSUER), Err(DiscoveryError::PkceS256Unsupported));
    }

    #[test]
    fn a_provider_without_code_flow_is_rejected() {
        let mut doc = metadata_json();
        doc["response_types_supported"] = serde_json::json!(["token", "id_token"]);
        assert_eq!(parse_metadata(&doc.to_string(), ISSUER), Err(DiscoveryError::CodeFlowUnsupported));
        // Discovery §3 requires the list: a document without it offers nothing.
        for absent in [serde_json::Value::Null, serde_json::json!([])] {
            doc["response_types_supported"] = absent;
            assert_eq!(parse_metadata(&doc.to_string(), ISSUER), Err(DiscoveryError::CodeFlowUnsupported));
        }
        doc.as_object_mut().unwrap().remove("response_types_supported");
        assert_eq!(parse_metadata(&doc.to_string(), ISSUER), Err(DiscoveryError::CodeFlowUnsupported));
    }

    /// RFC 9207: only an explicit `true` makes `iss` required in the callback.
    #[test]
    fn the_iss_parameter_is_required_only_when_advertised_as_true() {
        let mut doc = metadata_json();
        for (value, required) in [(serde_json::json!(true), true), (serde_json::json!(false), false), (serde_json::Value::Null, false)] {
            doc["authorization_response_iss_parameter_supported"] = value;
            assert_eq!(parse_metadata(&doc.to_string(), ISSUER).unwrap().requires_iss_parameter(), required);
        }
        doc.as_object_mut().unwrap().remove("authorization_response_iss_parameter_supported");
        assert!(!parse_metadata(&doc.to_string(), ISSUER).unwrap().requires_iss_parameter());
        doc["authorization_response_iss_parameter_supported"] = serde_json::json!("true");
        assert!(matches!(parse_metadata(&doc.to_string(), ISSUER), Err(DiscoveryError::Malformed(_))));
    }

    #[test]
    fn insecure_endpoints_are_rejected() {
        let mut doc = metadata_json();
        doc["token_endpoint"] = "http://evil.example/token".into();
        assert!(matches!(
            parse_metadata(&doc.to_string(), ISSUER),
            Err(DiscoveryError::InsecureEndpoint { field: "token_endpoint", .. })
        ));
    }

    #[test]
    fn malformed_documents_are_a_typed_error() {
        assert!(matches!(parse_metadata("<html>", ISSUER), Err(DiscoveryError::Malformed(_))));
        assert!(matches!(parse_metadata("{}", ISSUER), Err(DiscoveryError::Malformed(_))));
    }

    #[test]
    fn secure_url_rules() {
        assert!(is_secure_url("https://id.example.com"));
        assert!(is_secure_url("http://127.0.0.1:9000/auth"));
        assert!(is_secure_url("http://localhost/x"));
        assert!(!is_secure_url("http://127.0.0.1.evil.example/"));
        assert!(!is_secure_url("http://localhost.evil.example/"));
        assert!(!is_secure_url("http://example.com"));
        assert!(!is_secure_url("javascript:alert(1)"));
        assert!(!is_secure_url("https://"));
    }

    #[test]
    fn secure_urls_cannot_be_fooled() {
        for evil in [
            "http://127.0.0.1:3000@evil.example",
            "http://127.0.0.1:3000@evil.example/api",
            "https://user:pass@id.example.com/",
            "https://id.example.com/#fragment",
            "https://id.example.com/path#",
            "http://127.0.0.1\\@evil.example/",
            "http://127.0.0.1:3000\\evil.example",
            "https://id.example.com /",
            " https://id.example.com/",
            "https://id.example.com/\n",
            "https://id.example.com:/",
            "https://id.example.com:99999/",
            "https://id.example.com:80x/",
            "https:///id.example.com",
            "https://[::1/",
            "http://localhost:3000@evil.example",
            "HTTP://127.0.0.1@evil.example",
        ] {
            assert!(!is_secure_url(evil), "{evil}");
        }
        for good in
            ["https://id.example.com:8443/realms/x?a=b", "http://[::1]:9000/", "HTTPS://ID.example.com"]
        {
            assert!(is_secure_url(good), "{good}");
        }
    }

    #[test]
    fn dpop_is_supported_only_with_es256_proofs() {
        let with_algs = |algs: serde_json::Value| {
            let mut document = metadata_json();
            if !algs.is_null() {
                document["dpop_signing_alg_values_supported"] = algs;
            }
            parse_metadata(&document.to_string(), ISSUER).unwrap()
        };
        assert!(with_algs(serde_json::json!(["RS256", "ES256"])).supports_dpop());
        assert!(!with_algs(serde_json::json!(["RS256", "EdDSA"])).supports_dpop(), "no ES256: our key cannot sign");
        assert!(!with_algs(serde_json::json!([])).supports_dpop());
        assert!(!with_algs(serde_json::Value::Null).supports_dpop(), "not advertised");
    }
}
