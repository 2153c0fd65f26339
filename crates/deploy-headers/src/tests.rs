use serde_json::{Value, json};

use super::*;

/// A provider laid out like Google's: token, keys and revocation on hosts
/// other than the issuer's.
fn google_like() -> Value {
    json!({
        "issuer": "https://accounts.google.com",
        "authorization_endpoint": "https://accounts.google.com/o/oauth2/v2/auth",
        "token_endpoint": "https://oauth2.googleapis.com/token",
        "jwks_uri": "https://www.googleapis.com/oauth2/v3/certs",
        "userinfo_endpoint": "https://openidconnect.googleapis.com/v1/userinfo",
        "revocation_endpoint": "https://oauth2.googleapis.com/revoke",
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["plain", "S256"]
    })
}

fn config(issuer: &str) -> Value {
    json!({
        "issuer": issuer,
        "client_id": "spa",
        "redirect_uri": "https://app.example.com/callback",
        "scopes": "openid profile",
        "protected_apis": ["https://api.example.com"]
    })
}

const INDEX: &str = r#"<!DOCTYPE html><html><head>
<!-- <script>commented out</script> -->
<script type="module" nonce="{{__TRUNK NONCE__}}">alert('hello');</script>
<script src="/other.js"></script>
<link rel="stylesheet" href="/app-ac8836067786dd4b.css" integrity="sha384-x"/>
<link rel="modulepreload" href="/oidc-spa-c25945d34c1dcce.js"><link rel="preload" href="/oidc-spa-c25945d34c1dcce_bg.wasm" as="fetch">
</head></html>"#;

/// A stylesheet as trunk 0.21 wrote it, under the name trunk gave it.
const TRUNK_CSS: (&str, &[u8]) = ("app-ac8836067786dd4b.css", include_bytes!("../tests/fixtures/app-ac8836067786dd4b.css"));

fn file(name: &str, bytes: &[u8]) -> DistFile {
    DistFile { name: name.to_owned(), bytes: bytes.to_vec() }
}

fn files() -> Vec<DistFile> {
    vec![
        file("index.html", INDEX.as_bytes()),
        file("config.json", b"{}"),
        file(TRUNK_CSS.0, TRUNK_CSS.1),
        // trunk names its js and wasm by the wasm before wasm-bindgen and wasm-opt.
        file("oidc-spa-c25945d34c1dcce.js", b"export default function init() {}"),
        file("oidc-spa-c25945d34c1dcce_bg.wasm", b"\0asm"),
        file("logo.png", b"png"),
    ]
}

fn release(config: Value, discovery: Value, index: &str) -> Result<Release, ReleaseError> {
    release_of(config, discovery, index, &files())
}

fn release_of(config: Value, discovery: Value, index: &str, files: &[DistFile]) -> Result<Release, ReleaseError> {
    let config = read_config(&config.to_string())?;
    Release::new(&config, &discovery.to_string(), index, files)
}

fn root() -> SiteRoot {
    SiteRoot::new("/srv/app").unwrap()
}

fn directive(release: &Release, name: &str) -> String {
    let policy = &release.content_security_policy;
    policy.split("; ").find(|d| d.starts_with(&format!("{name} "))).unwrap_or_default().to_owned()
}

#[test]
fn connect_src_lists_every_discovered_origin_the_app_fetches_from() {
    let release = release(config("https://accounts.google.com"), google_like(), INDEX).unwrap();
    assert_eq!(
        directive(&release, "connect-src"),
        "connect-src 'self' https://accounts.google.com https://oauth2.googleapis.com https://www.googleapis.com https://api.example.com"
    );
    assert_eq!(release.app_origin, "https://app.example.com");
}

#[test]
fn connect_src_lists_userinfo_only_when_the_app_fetches_it() {
    let mut config = config("https://accounts.google.com");
    config["fetch_userinfo"] = json!(true);
    let release = release(config, google_like(), INDEX).unwrap();
    assert!(directive(&release, "connect-src").ends_with(" https://openidconnect.googleapis.com https://api.example.com"));
}

#[test]
fn connect_src_names_an_origin_once_and_leaves_the_apps_own_to_self() {
    let mut config = config("http://127.0.0.1:9000");
    config["redirect_uri"] = json!("http://127.0.0.1:8080/callback");
    config["protected_apis"] = json!(["http://127.0.0.1:8080/api"]);
    let discovery = json!({
        "issuer": "http://127.0.0.1:9000",
        "authorization_endpoint": "http://127.0.0.1:9000/auth",
        "token_endpoint": "http://127.0.0.1:9000/token",
        "jwks_uri": "http://127.0.0.1:9000/jwks",
        "revocation_endpoint": "http://127.0.0.1:9000/token/revocation",
        "response_types_supported": ["code"]
    });
    let release = release(config, discovery, INDEX).unwrap();
    assert_eq!(directive(&release, "connect-src"), "connect-src 'self' http://127.0.0.1:9000");
}

#[test]
fn script_src_allows_the_inline_loader_by_hash_and_nothing_inline_else() {
    let release = release(config("https://accounts.google.com"), google_like(), INDEX).unwrap();
    // `printf "%s" "alert('hello');" | openssl dgst -sha256 -binary | base64`
    assert_eq!(
        directive(&release, "script-src"),
        "script-src 'self' 'wasm-unsafe-eval' 'sha256-gj4FLpwFgWrJxA7NLcFCWSwEF/PMnmWidszB6OONAAo='"
    );
    let policy = &release.content_security_policy;
    assert!(!policy.contains("unsafe-inline") && !policy.contains("nonce"), "{policy}");
    for fixed in ["default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'", "form-action 'none'"] {
        assert!(policy.split("; ").any(|d| d == fixed), "{fixed} missing from {policy}");
    }
}

#[test]
fn a_script_is_hashed_as_the_browser_reads_it_with_crlf_or_cr_as_lf() {
    for index in ["<script>a\r\nb</script>", "<script>a\rb</script>", "<scripts>x</scripts><script\n>a\nb</script>"] {
        let release = release(config("https://accounts.google.com"), google_like(), index).unwrap();
        // `printf "a\nb" | openssl dgst -sha256 -binary | base64`
        assert_eq!(
            directive(&release, "script-src"),
            "script-src 'self' 'wasm-unsafe-eval' 'sha256-fhj3NzEbLcOy8mndeDlrA1HxT7Zu+oefdoyyMYGIPHg='",
            "{index:?}"
        );
    }
}

#[test]
fn only_a_file_named_by_the_hash_of_its_own_bytes_is_immutable() {
    let release = release(config("https://accounts.google.com"), google_like(), INDEX).unwrap();
    assert_eq!(release.immutable_paths, ["/app-ac8836067786dd4b.css"]);

    // Same name, other bytes (as when only wasm-opt changed): revalidated.
    let mut changed = files();
    changed[2] = file(TRUNK_CSS.0, b"body{margin:0}");
    let release = release_of(config("https://accounts.google.com"), google_like(), INDEX, &changed).unwrap();
    assert!(release.immutable_paths.is_empty(), "{:?}", release.immutable_paths);
}

#[test]
fn an_https_app_gets_strict_transport_security_everywhere_and_a_local_one_does_not() {
    let release = release(config("https://accounts.google.com"), google_like(), INDEX).unwrap();
    let hsts = format!("Strict-Transport-Security \"{STRICT_TRANSPORT_SECURITY}\"");
    let nginx = release.nginx(&root());
    assert_eq!(nginx.matches(&format!("add_header {hsts} always;")).count(), nginx.matches("\nlocation ").count());
    assert!(release.caddy(&root()).contains(&format!("\t\t{hsts}\n")));
    assert!(release.static_headers().contains(&format!("  Strict-Transport-Security: {STRICT_TRANSPORT_SECURITY}\n")));

    let mut local = config("http://127.0.0.1:9000");
    local["redirect_uri"] = json!("http://127.0.0.1:8080/callback");
    let discovery = json!({
        "issuer": "http://127.0.0.1:9000",
        "authorization_endpoint": "http://127.0.0.1:9000/auth",
        "token_endpoint": "http://127.0.0.1:9000/token",
        "jwks_uri": "http://127.0.0.1:9000/jwks",
        "response_types_supported": ["code"]
    });
    let local = self::release(local, discovery, INDEX).unwrap();
    assert!(!local.nginx(&root()).contains("Strict-Transport-Security"));
}

#[test]
fn the_callback_and_the_return_after_sign_out_are_kept_out_of_access_logs() {
    let release = release(config("https://accounts.google.com"), google_like(), INDEX).unwrap();
    assert_eq!(release.secret_query_paths, ["/callback", "/"]);
    let nginx = release.nginx(&root());
    for path in ["/callback", "/"] {
        let location = format!("location = {path} {{\n    access_log off;\n    try_files /index.html =404;\n");
        assert!(nginx.contains(&location), "{location}\n{nginx}");
    }
}

#[test]
fn a_path_or_site_root_a_server_would_misread_is_refused() {
    for path in ["/cb'x", "/cb\"x", "/cb;x", "/%63allback", "/{cb}", "/cb$x", "//callback", "/./callback", "/a/../callback"] {
        let mut config = config("https://accounts.google.com");
        config["redirect_uri"] = json!(format!("https://app.example.com{path}"));
        let error = release(config, google_like(), INDEX).map(|_| ()).unwrap_err();
        assert!(matches!(error, ReleaseError::UnusualPath { field: "redirect_uri", .. }), "{path}: {error}");
    }
    for root in ["srv/app", "/srv/$app", "/srv/{app}", "/srv/a\npp", "/srv/a\\pp", "/srv/a\"pp"] {
        assert!(matches!(SiteRoot::new(root), Err(ReleaseError::UnusualSiteRoot(_))), "{root}");
    }
    assert!(SiteRoot::new("/srv/my app").is_ok());
}

#[test]
fn what_the_app_would_refuse_is_refused_here_with_the_apps_words() {
    let mut config = config("https://accounts.google.com");
    config["protected_apis"] = json!(["https://api.example.com@evil.example"]);
    let error = release(config, google_like(), INDEX).unwrap_err().to_string();
    assert!(error.contains("\"protected_apis\" is invalid") && error.contains("user name or password"), "{error}");

    let mut discovery = google_like();
    discovery["token_endpoint"] = json!("http://oauth2.googleapis.com/token");
    let error = release(self::config("https://accounts.google.com"), discovery, INDEX).unwrap_err().to_string();
    assert!(error.contains("token_endpoint is not a secure URL"), "{error}");

    let error = release(self::config("https://other.example"), google_like(), INDEX).unwrap_err().to_string();
    assert!(error.contains("says its issuer is \"https://accounts.google.com\""), "{error}");
}

#[test]
fn an_index_without_a_loader_or_with_an_open_script_is_refused() {
    let release = |index| release(config("https://accounts.google.com"), google_like(), index);
    let no_loader = "<html><script src=\"/a.js\"></script><!-- <script>x</script> --></html>";
    assert!(matches!(release(no_loader), Err(ReleaseError::NoLoaderScript)));
    assert!(matches!(release("<script>never closed"), Err(ReleaseError::Unclosed)));
    assert!(matches!(release("<!-- <script>x</script>"), Err(ReleaseError::Unclosed)));
}

#[test]
fn every_nginx_location_sends_every_security_header() {
    let release = release(config("https://accounts.google.com"), google_like(), INDEX).unwrap();
    let nginx = release.nginx(&SiteRoot::new("/srv/my app").unwrap());
    assert!(nginx.contains("root \"/srv/my app\";\n"));
    let locations = nginx.matches("\nlocation ").count();
    assert_eq!(locations, 4, "the css, the callback, the return after sign-out and the app:\n{nginx}");
    for name in ["Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy", "Cache-Control"] {
        assert_eq!(nginx.matches(&format!("add_header {name} ")).count(), locations, "{name}:\n{nginx}");
    }
    assert_eq!(nginx.matches(&format!("Cache-Control \"{CACHE_IMMUTABLE}\"")).count(), 1);
    assert!(nginx.contains("location / {\n    try_files $uri /index.html;\n"));
    assert!(nginx.contains("location = /callback {\n    access_log off;\n    try_files /index.html =404;\n"), "{nginx}");
}

#[test]
fn caddy_gives_each_path_exactly_one_cache_rule() {
    let release = release(config("https://accounts.google.com"), google_like(), INDEX).unwrap();
    let caddy = release.caddy(&root());
    assert!(caddy.contains("\nhttps://app.example.com {\n\troot * \"/srv/app\"\n"), "{caddy}");
    let hashed = "/app-ac8836067786dd4b.css";
    assert!(caddy.contains(&format!("\t@immutable path {hashed}\n")), "{caddy}");
    assert!(caddy.contains(&format!("\t@revalidate not path {hashed}\n")), "{caddy}");
    assert!(caddy.contains(&format!("\t\tContent-Security-Policy \"{}\"\n", release.content_security_policy)));
}

#[test]
fn a_provider_or_api_at_an_ipv6_address_is_refused_as_csp_cannot_name_it() {
    let mut config = config("https://accounts.google.com");
    config["protected_apis"] = json!(["http://[::1]:3000"]);
    let error = release(config, google_like(), INDEX).map(|_| ()).unwrap_err();
    assert!(matches!(&error, ReleaseError::Ipv6Origin(origin) if origin == "http://[::1]:3000"), "{error}");
}

#[test]
fn caddy_without_hashed_files_revalidates_everything_and_skips_secret_paths_in_logs() {
    let files = vec![file("index.html", INDEX.as_bytes())];
    let release = release_of(config("https://accounts.google.com"), google_like(), INDEX, &files).unwrap();
    let caddy = release.caddy(&root());
    assert!(!caddy.contains("@immutable"), "{caddy}");
    assert!(caddy.contains(&format!("\theader Cache-Control \"{CACHE_REVALIDATE}\"\n")), "{caddy}");
    assert!(caddy.contains("\t@secret_query path /callback /\n\tskip_log @secret_query\n"), "{caddy}");
}

#[test]
fn static_headers_set_cache_control_only_on_hashed_files() {
    let release = release(config("https://accounts.google.com"), google_like(), INDEX).unwrap();
    let headers = release.static_headers();
    let everything = headers.split("\n/*\n").nth(1).unwrap().split("\n/").next().unwrap();
    assert!(everything.contains(&format!("  Content-Security-Policy: {}", release.content_security_policy)));
    assert!(everything.contains("  X-Frame-Options: DENY"));
    assert!(!everything.contains("Cache-Control"), "{headers}");
    assert_eq!(headers.matches(&format!("  Cache-Control: {CACHE_IMMUTABLE}\n")).count(), 1);
    assert!(release.static_redirects().ends_with("\n/* /index.html 200\n"));
}

/// `files` after `renames`, as main.rs makes them on disk.
fn renamed(files: &[DistFile], index: &str, renames: &[Rename]) -> Vec<DistFile> {
    files
        .iter()
        .map(|f| match (f.name.as_str(), renames.iter().find(|r| r.from == f.name)) {
            ("index.html", _) => file("index.html", index.as_bytes()),
            (_, Some(rename)) => file(&rename.to, &f.bytes),
            (name, None) => file(name, &f.bytes),
        })
        .collect()
}

#[test]
fn trunks_js_and_wasm_are_renamed_by_their_own_bytes_and_then_cached_for_good() {
    let (index, renames) = name_by_content(INDEX, &files());
    let js = format!("oidc-spa-{:x}.js", seahash::hash(b"export default function init() {}"));
    let wasm = format!("oidc-spa_bg-{:x}.wasm", seahash::hash(b"\0asm"));
    assert_eq!(
        renames,
        [
            Rename { from: "oidc-spa-c25945d34c1dcce.js".into(), to: js.clone() },
            Rename { from: "oidc-spa-c25945d34c1dcce_bg.wasm".into(), to: wasm.clone() },
        ]
    );
    assert!(index.contains(&format!(r#"href="/{js}""#)) && index.contains(&format!(r#"href="/{wasm}""#)), "{index}");
    assert!(!index.contains("c25945d34c1dcce"), "{index}");
    // Everything else in index.html is as it was.
    assert_eq!(index.replace(&js, "oidc-spa-c25945d34c1dcce.js").replace(&wasm, "oidc-spa-c25945d34c1dcce_bg.wasm"), INDEX);

    let files = renamed(&files(), &index, &renames);
    let release = release_of(config("https://accounts.google.com"), google_like(), &index, &files).unwrap();
    let mut expected = vec!["/app-ac8836067786dd4b.css".to_owned(), format!("/{js}"), format!("/{wasm}")];
    expected.sort();
    assert_eq!(release.immutable_paths, expected);

    // A second run finds every file named by its content already.
    assert_eq!(name_by_content(&index, &files), (index.clone(), vec![]));
}

#[test]
fn other_bytes_under_trunks_name_get_another_name() {
    let mut changed = files();
    changed[4] = file("oidc-spa-c25945d34c1dcce_bg.wasm", b"\0asm\x01");
    let (_, before) = name_by_content(INDEX, &files());
    let (_, after) = name_by_content(INDEX, &changed);
    assert_ne!(before[1].to, after[1].to);
    assert_eq!(before[0], after[0]);
}

#[test]
fn only_trunks_rust_assets_that_index_html_loads_are_renamed() {
    // The wasm is no longer loaded; three scripts are, none of them trunk's.
    let index = INDEX.replace(
        r#"<link rel="preload" href="/oidc-spa-c25945d34c1dcce_bg.wasm" as="fetch">"#,
        r#"<script src="/vendor-cafe.js"></script><script src="/tool-c25945d34c1dcceX.js"></script><script src="/other.js"></script>"#,
    );
    let mut files = files();
    files.extend([
        file("vendor-cafe.js", b"x"),          // too short for trunk's hash
        file("tool-c25945d34c1dcceX.js", b"x"), // not hex
        file("other.js", b"x"),                 // no hash at all
    ]);
    let (_, renames) = name_by_content(&index, &files);
    assert_eq!(renames.iter().map(|r| r.from.as_str()).collect::<Vec<_>>(), ["oidc-spa-c25945d34c1dcce.js"]);
}

#[test]
fn index_html_preloads_the_discovery_document_once_for_the_issuer_of_the_day() {
    let page = "<html><head>\n    <title>x</title>\n  </head>\n<body></body></html>\n";
    let once = preload_discovery(page, Some("https://op.example.com/realms/a&b")).unwrap();
    assert_eq!(
        once,
        "<html><head>\n    <title>x</title>\n    <link rel=\"preload\" href=\"https://op.example.com/realms/a&amp;b/.well-known/openid-configuration\" as=\"fetch\" crossorigin=\"anonymous\" data-deploy-headers=\"discovery\" />\n  </head>\n<body></body></html>\n"
    );
    // Again, after the issuer changed: the old preload is gone.
    let again = preload_discovery(&once, Some("https://accounts.google.com")).unwrap();
    assert_eq!(again.matches("rel=\"preload\"").count(), 1, "{again}");
    assert!(again.contains("href=\"https://accounts.google.com/.well-known/openid-configuration\""), "{again}");
    // Without an issuer (--no-discovery-preload): the page as it was.
    assert_eq!(preload_discovery(&once, None).unwrap(), page);
    assert_eq!(preload_discovery(page, None).unwrap(), page);
}

#[test]
fn the_preload_shares_a_line_without_taking_what_else_is_on_it() {
    let inline = "<html><head><title>x</title></head><body></body></html>";
    let first = preload_discovery(inline, Some("https://accounts.google.com")).unwrap();
    assert!(first.starts_with("<html><head><title>x</title><link rel=\"preload\""), "{first}");
    assert!(first.ends_with("/></head><body></body></html>"), "{first}");
    assert_eq!(preload_discovery(&first, Some("https://accounts.google.com")).unwrap(), first);
    assert_eq!(preload_discovery(&first, None).unwrap(), inline);
}

#[test]
fn a_page_without_head_gets_no_preload() {
    assert_eq!(preload_discovery("<p>hi</p>", Some("https://accounts.google.com")), None);
}

#[test]
fn only_content_named_files_are_sent_from_their_compressed_copies() {
    let (index, renames) = name_by_content(INDEX, &files());
    let files = renamed(&files(), &index, &renames);
    let release = release_of(config("https://accounts.google.com"), google_like(), &index, &files).unwrap();
    let nginx = release.nginx(&root());
    // In each content-named file's location, and nowhere else.
    assert_eq!(nginx.matches("gzip_static on;").count(), release.immutable_paths.len(), "{nginx}");
    for path in &release.immutable_paths {
        assert!(nginx.contains(&format!("location = {path} {{\n    gzip_static on;\n")), "{nginx}");
    }
    let caddy = release.caddy(&root());
    assert!(caddy.contains("\tfile_server @immutable {\n\t\tprecompressed br gzip\n\t}\n\tfile_server @revalidate\n"), "{caddy}");
    assert_eq!(caddy.matches("precompressed").count(), 1, "{caddy}");
}

fn with_silent_page(mut config: Value) -> Value {
    config["silent_redirect_uri"] = "https://app.example.com/silent-callback.html".into();
    config
}

fn files_with_silent_page() -> Vec<DistFile> {
    let mut files = files();
    files.push(file("silent-callback.html", b"<!DOCTYPE html><title>Renewing</title>"));
    files
}

#[test]
fn a_frame_renewal_may_frame_the_authorization_endpoint_and_only_its_silent_page_is_framable() {
    let release = release_of(with_silent_page(config("https://accounts.google.com")), google_like(), INDEX, &files_with_silent_page()).unwrap();
    assert_eq!(directive(&release, "frame-src"), "frame-src 'self' https://accounts.google.com");
    assert_eq!(directive(&release, "frame-ancestors"), "frame-ancestors 'none'", "the app itself is never framed");
    assert_eq!(release.silent_page_path.as_deref(), Some("/silent-callback.html"));

    let nginx = release.nginx(&root());
    let silent = nginx.split("location = /silent-callback.html {").nth(1).expect("a location of its own");
    let silent = silent.split('}').next().unwrap();
    assert!(silent.contains(&format!("add_header Content-Security-Policy \"{SILENT_PAGE_POLICY}\" always;")), "{silent}");
    assert!(silent.contains("add_header X-Frame-Options \"SAMEORIGIN\" always;"), "{silent}");
    assert!(silent.contains("access_log off;") && silent.contains("try_files $uri =404;"), "{silent}");
    for header in ["X-Content-Type-Options", "Referrer-Policy", "Cache-Control"] {
        assert!(silent.contains(&format!("add_header {header} ")), "{header}: {silent}");
    }
    let others = nginx.replace(silent, "");
    assert!(!others.contains("SAMEORIGIN"), "framable nowhere else");

    let caddy = release.caddy(&root());
    assert!(caddy.contains("@silent_page path /silent-callback.html\n\theader @silent_page {"), "{caddy}");
    assert!(caddy.contains("@app not path /silent-callback.html\n\theader @app {"), "{caddy}");
    assert!(!caddy.contains("\theader {"), "no header block without a matcher to override the others: {caddy}");
    assert!(caddy.contains("@secret_query path /callback / /silent-callback.html"), "not logged: {caddy}");

    let headers = release.static_headers();
    assert!(headers.contains("/silent-callback.html\n  ! Content-Security-Policy\n  ! X-Frame-Options\n"), "{headers}");
    assert!(headers.contains("/silent-callback\n  ! Content-Security-Policy\n  ! X-Frame-Options\n"), "as Cloudflare serves it: {headers}");
}

#[test]
fn without_a_silent_page_nothing_may_be_framed() {
    let release = release(config("https://accounts.google.com"), google_like(), INDEX).unwrap();
    assert_eq!(directive(&release, "frame-src"), "");
    let everything = [release.nginx(&root()), release.caddy(&root()), release.static_headers()].concat();
    assert!(!everything.contains("SAMEORIGIN") && !everything.contains("frame-ancestors 'self'"), "{everything}");
}

#[test]
fn a_silent_page_that_is_not_a_file_of_dist_is_refused() {
    // The server would answer its path with index.html: the whole app in the frame.
    let result = release(with_silent_page(config("https://accounts.google.com")), google_like(), INDEX);
    assert!(matches!(result, Err(ReleaseError::SilentPageMissing(path)) if path == "/silent-callback.html"));
}
