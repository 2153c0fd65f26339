//! The response headers that protect the release build (`dist/`) once it
//! leaves trunk's dev server, written for nginx, Caddy and static hosts.
//!
//! They are made from what is deployed, never typed by hand:
//! - `connect-src` lists the origins the app really fetches from: the
//!   issuer (discovery), every endpoint the provider's discovery document
//!   names for a fetch (token, JWKS, revocation, UserInfo if used, which
//!   may sit on other hosts, as Google's do) and the protected APIs;
//! - `script-src` allows trunk's inline loader by its SHA-256 hash, since
//!   a static host cannot put a fresh nonce into every response;
//! - a file is cached for a year only when its name carries the hash of
//!   its own bytes; everything else is revalidated, so a new release is
//!   seen at once. trunk names the css so, but its js and wasm after the
//!   wasm as cargo built it, before wasm-bindgen and wasm-opt, so they can
//!   change under one name: [`name_by_content`] renames those two first.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use browser_oidc::config::{Config, ConfigError};
use browser_oidc::oauth::discovery::{DiscoveryError, ProviderMetadata, discovery_url, parse_metadata};
use browser_oidc::oauth::endpoint_url::parse_endpoint_url;
use sha2::{Digest, Sha256};

/// Sent with every response.
pub const SECURITY_HEADERS: [(&str, &str); 3] = [
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
];
/// For a file whose name changes whenever its content does.
pub const CACHE_IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// For `index.html`, `config.json` and the rest: ask the server each time.
pub const CACHE_REVALIDATE: &str = "no-cache";
/// For an app served over https: browsers then never try plain http.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=63072000";
/// The policy of the silent page of a renewal in a hidden frame.
pub const SILENT_PAGE_POLICY: &str = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";
/// The characters a path may have to be matched exactly in nginx and Caddy.
const PLAIN_PATH_CHARACTERS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._~/-";

#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Discovery(#[from] DiscoveryError),
    #[error("index.html has no inline loader script: build dist/ with `trunk build --release` first")]
    NoLoaderScript,
    #[error("index.html has a <script> or a comment that is never closed")]
    Unclosed,
    #[error("the path of {field} (\"{path}\") may only have letters, digits and . _ ~ / - to be matched safely in a server configuration")]
    UnusualPath { field: &'static str, path: String },
    #[error("the site root \"{0}\" must be an absolute path without $, {{, }}, \\, \" or control characters (nginx and Caddy would misread them)")]
    UnusualSiteRoot(String),
    #[error("{0} is at an IPv6 address, which a Content-Security-Policy cannot name: use a host name")]
    Ipv6Origin(String),
    #[error("silent_redirect_uri names {0}, which is not a file of dist/: the server would answer with the whole app in the hidden frame")]
    SilentPageMissing(String),
}

/// A file of `dist/`.
pub struct DistFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Where `dist/` is on the server, checked to be written into a server
/// configuration as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteRoot(String);

impl SiteRoot {
    pub fn new(path: &str) -> Result<Self, ReleaseError> {
        let plain = path.starts_with('/')
            && !path.chars().any(|c| c.is_control() || matches!(c, '$' | '{' | '}' | '\\' | '"'));
        if plain { Ok(Self(path.to_owned())) } else { Err(ReleaseError::UnusualSiteRoot(path.to_owned())) }
    }
}

/// What the headers of one release are made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// Where the app runs: the origin of its `redirect_uri`.
    pub app_origin: String,
    pub content_security_policy: String,
    /// URL paths of files named by the hash of their bytes (`/app-1f2e….css`).
    pub immutable_paths: Vec<String>,
    /// The paths of `redirect_uri` and `post_logout_redirect_uri`, whose
    /// queries carry a code or a state: kept out of access logs.
    pub secret_query_paths: Vec<String>,
    /// The path of `silent_redirect_uri`, if the app renews in a hidden
    /// frame: a static file that only the app's own pages may frame, with a
    /// code in its query (kept out of access logs too).
    pub silent_page_path: Option<String>,
    /// The headers of that page, `Cache-Control` aside.
    silent_page_headers: Vec<(&'static str, String)>,
    /// Every header for all responses, `Cache-Control` aside.
    headers: Vec<(&'static str, String)>,
}

/// Reads `config.json` with the app's own checks. The app checks it
/// against the origin it runs on; here that is the `redirect_uri`'s
/// origin, which the app requires to be its own.
pub fn read_config(body: &str) -> Result<Config, ConfigError> {
    let origin = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|value| value.get("redirect_uri")?.as_str().map(str::to_owned))
        .and_then(|uri| parse_endpoint_url(&uri).ok())
        .map(|url| url.origin())
        .unwrap_or_default();
    Config::parse(body, &origin)
}

impl Release {
    /// `discovery` is the provider's metadata document as fetched;
    /// `files` are the files of `dist/`.
    pub fn new(config: &Config, discovery: &str, index_html: &str, files: &[DistFile]) -> Result<Self, ReleaseError> {
        let provider = parse_metadata(discovery, &config.issuer)?;
        let app_origin = origin(&config.redirect_uri).unwrap_or_default();
        let mut secret_query_paths = vec![path_of("redirect_uri", &config.redirect_uri, &app_origin)?];
        let after_sign_out = path_of("post_logout_redirect_uri", &config.post_logout_redirect_uri, &app_origin)?;
        if !secret_query_paths.contains(&after_sign_out) {
            secret_query_paths.push(after_sign_out);
        }
        let silent_page_path = match &config.silent_redirect_uri {
            Some(uri) => Some(path_of("silent_redirect_uri", uri, &app_origin)?),
            None => None,
        };
        if let Some(path) = &silent_page_path
            && !files.iter().any(|file| format!("/{}", file.name) == *path)
        {
            return Err(ReleaseError::SilentPageMissing(path.clone()));
        }
        let scripts = inline_scripts(index_html)?;
        if scripts.is_empty() {
            return Err(ReleaseError::NoLoaderScript);
        }
        let script_hashes: Vec<String> = scripts.iter().map(|script| script_hash(script)).collect();
        let connect = connect_sources(config, &provider, &app_origin)?;
        // A renewal's frame goes to the authorization endpoint, which
        // sends it back to the silent page: both must be allowed.
        let frame_src = match silent_page_path {
            Some(_) => Some(format!("frame-src {}", sources(&[&provider.authorization_endpoint], &app_origin)?.join(" "))),
            None => None,
        };
        let content_security_policy = [
            "default-src 'none'".to_owned(),
            format!("script-src 'self' 'wasm-unsafe-eval' {}", script_hashes.join(" ")),
            "style-src 'self'".to_owned(),
            "img-src 'self'".to_owned(),
            format!("connect-src {}", connect.join(" ")),
            "base-uri 'none'".to_owned(),
            "object-src 'none'".to_owned(),
            "form-action 'none'".to_owned(),
            "frame-ancestors 'none'".to_owned(),
        ]
        .into_iter()
        .chain(frame_src)
        .collect::<Vec<_>>()
        .join("; ");
        let mut immutable_paths: Vec<String> = files
            .iter()
            .filter(|file| plain_path(&file.name) && names_its_content(&file.name, &file.bytes))
            .map(|file| format!("/{}", file.name))
            .collect();
        immutable_paths.sort();
        let mut headers = vec![("Content-Security-Policy", content_security_policy.clone())];
        headers.extend(SECURITY_HEADERS.map(|(name, value)| (name, value.to_owned())));
        if app_origin.starts_with("https://") {
            headers.push(("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY.to_owned()));
        }
        // The silent page runs nothing and loads nothing; the app's own
        // pages, and no one else, may frame it.
        let silent_page_headers = headers
            .iter()
            .map(|(name, value)| match *name {
                "Content-Security-Policy" => (*name, SILENT_PAGE_POLICY.to_owned()),
                "X-Frame-Options" => (*name, "SAMEORIGIN".to_owned()),
                _ => (*name, value.clone()),
            })
            .collect();
        Ok(Self {
            app_origin,
            content_security_policy,
            immutable_paths,
            secret_query_paths,
            silent_page_path,
            silent_page_headers,
            headers,
        })
    }

    fn security_headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers.iter().map(|(name, value)| (*name, value.as_str()))
    }

    fn silent_page_security_headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.silent_page_headers.iter().map(|(name, value)| (*name, value.as_str()))
    }

    /// An nginx snippet to include in the app's `server { }` block, which
    /// keeps its own `listen`, `server_name` and TLS settings.
    pub fn nginx(&self, site_root: &SiteRoot) -> String {
        let lines = |headers: &mut dyn Iterator<Item = (&str, &str)>, cache: &str| {
            let mut lines: String =
                headers.map(|(name, value)| format!("    add_header {name} {} always;\n", quoted(value))).collect();
            lines.push_str(&format!("    add_header Cache-Control {} always;\n", quoted(cache)));
            lines
        };
        let headers = |cache: &str| lines(&mut self.security_headers(), cache);
        let mut out = format!(
            "{}\n# Include inside the app's server {{ }} block. Its own add_header lines\n# no longer apply: nginx sends only those of the location that answers.\nroot {};\nindex index.html;\nserver_tokens off;\n",
            comment_header("#"),
            quoted(&site_root.0)
        );
        // nginx sends a location's add_header lines only: each location
        // repeats the security headers.
        // The .gz copy deploy-headers wrote beside each content-named file,
        // and only there (nginx sends .br copies only with the ngx_brotli
        // module's brotli_static).
        for path in &self.immutable_paths {
            out.push_str(&format!(
                "\nlocation = {path} {{\n    gzip_static on;\n    gzip_vary on;\n{}}}\n",
                headers(CACHE_IMMUTABLE)
            ));
        }
        // Served here rather than by an internal redirect, which would
        // log the request in `location /`.
        for path in &self.secret_query_paths {
            out.push_str(&format!(
                "\n# A code or a state arrives in this URL's query: not logged.\nlocation = {path} {{\n    access_log off;\n    try_files /index.html =404;\n{}}}\n",
                headers(CACHE_REVALIDATE)
            ));
        }
        if let Some(path) = &self.silent_page_path {
            out.push_str(&format!(
                "\n# The page a renewal's hidden frame comes back to, with a code in its\n# query (not logged): only the app's own pages may frame it.\nlocation = {path} {{\n    access_log off;\n    try_files $uri =404;\n{}}}\n",
                lines(&mut self.silent_page_security_headers(), CACHE_REVALIDATE)
            ));
        }
        out.push_str(&format!(
            "\n# Every other path is the app (its router reads it), or a file\n# that must be revalidated.\nlocation / {{\n    try_files $uri /index.html;\n{}}}\n",
            headers(CACHE_REVALIDATE)
        ));
        out
    }

    /// A Caddyfile serving the app at its origin (Caddy gets the
    /// certificate itself for an `https` origin).
    pub fn caddy(&self, site_root: &SiteRoot) -> String {
        let block = |headers: &mut dyn Iterator<Item = (&str, &str)>| -> String {
            headers.map(|(name, value)| format!("\t\t{name} {}\n", quoted(value))).collect()
        };
        // Two matchers that cannot both match, as for the caching below.
        let security = match &self.silent_page_path {
            None => format!("\theader {{\n{}\t\t-Server\n\t}}\n", block(&mut self.security_headers())),
            Some(path) => format!(
                "\t# Only the app's own pages may frame the page a renewal's hidden frame comes back to.\n\t@silent_page path {path}\n\theader @silent_page {{\n{}\t\t-Server\n\t}}\n\t@app not path {path}\n\theader @app {{\n{}\t\t-Server\n\t}}\n",
                block(&mut self.silent_page_security_headers()),
                block(&mut self.security_headers())
            ),
        };
        let mut secret_query_paths = self.secret_query_paths.clone();
        secret_query_paths.extend(self.silent_page_path.clone());
        // Two matchers that cannot both match: Caddy sorts a directive
        // without a matcher after the others, which would override.
        // The .br and .gz copies beside the content-named files are sent
        // for those paths only.
        let (caching, serving) = if self.immutable_paths.is_empty() {
            (format!("\theader Cache-Control {}\n", quoted(CACHE_REVALIDATE)), "\tfile_server\n".to_owned())
        } else {
            let immutable = self.immutable_paths.join(" ");
            (
                format!(
                    "\t@immutable path {immutable}\n\theader @immutable Cache-Control {}\n\t@revalidate not path {immutable}\n\theader @revalidate Cache-Control {}\n",
                    quoted(CACHE_IMMUTABLE),
                    quoted(CACHE_REVALIDATE)
                ),
                "\tfile_server @immutable {\n\t\tprecompressed br gzip\n\t}\n\tfile_server @revalidate\n".to_owned(),
            )
        };
        format!(
            "{}\n{} {{\n\troot * {}\n{security}{caching}\t# A code or a state arrives in these URLs' query: never logged.\n\t@secret_query path {}\n\tskip_log @secret_query\n\t# Every other path is the app (its router reads it).\n\ttry_files {{path}} /index.html\n{serving}}}\n",
            comment_header("#"),
            self.app_origin,
            quoted(&site_root.0),
            secret_query_paths.join(" "),
        )
    }

    /// `_headers` for static hosts that read it from the deployed folder
    /// (Netlify, Cloudflare Pages). Their default for other files already
    /// revalidates; a second `Cache-Control` rule would be joined to the
    /// first with a comma, so only the hashed files get one.
    pub fn static_headers(&self) -> String {
        let mut out = format!("{}\n/*\n", comment_header("#"));
        for (name, value) in self.security_headers() {
            out.push_str(&format!("  {name}: {value}\n"));
        }
        for path in &self.immutable_paths {
            out.push_str(&format!("{path}\n  Cache-Control: {CACHE_IMMUTABLE}\n"));
        }
        if let Some(path) = &self.silent_page_path {
            // `! Name` detaches a header of the rule above (Cloudflare
            // Pages, which also serves `/x.html` at `/x`). Netlify joins
            // both rules' values instead, so the browser refuses the frame
            // there, and the app renews at safe moments.
            out.push_str("# Only the app's own pages may frame the page a renewal's hidden frame comes back to.\n");
            for path in [Some(path.as_str()), path.strip_suffix(".html")].into_iter().flatten() {
                out.push_str(&format!(
                    "{path}\n  ! Content-Security-Policy\n  ! X-Frame-Options\n  Content-Security-Policy: {SILENT_PAGE_POLICY}\n  X-Frame-Options: SAMEORIGIN\n"
                ));
            }
        }
        out
    }

    /// `_redirects`: Netlify serves the app for every path that is not a
    /// file (Cloudflare Pages does so without it, and skips this rule).
    pub fn static_redirects(&self) -> String {
        format!("{}\n/* /index.html 200\n", comment_header("#"))
    }
}

/// Letters, digits and `. _ ~ / -` only, and no empty, `.` or `..`
/// segment (a server normalizes those before matching); a final `/` is fine.
fn plain_path(path: &str) -> bool {
    let inner = path.strip_prefix('/').unwrap_or(path);
    let inner = inner.strip_suffix('/').unwrap_or(inner);
    path.chars().all(|c| PLAIN_PATH_CHARACTERS.contains(c))
        && (inner.is_empty() || inner.split('/').all(|segment| !matches!(segment, "" | "." | "..")))
}

/// The path of a URL on the app's origin, if nginx and Caddy can match it
/// exactly as written.
fn path_of(field: &'static str, url: &str, app_origin: &str) -> Result<String, ReleaseError> {
    let after_origin = url.get(app_origin.len()..).unwrap_or("/");
    let path = after_origin.split('?').next().unwrap_or("/");
    if plain_path(path) {
        Ok(path.to_owned())
    } else {
        Err(ReleaseError::UnusualPath { field, path: path.to_owned() })
    }
}

fn comment_header(mark: &str) -> String {
    format!(
        "{mark} Written by deploy-headers from dist/config.json, dist/index.html and the\n{mark} provider's discovery document. Write it again after every build."
    )
}

fn origin(url: &str) -> Option<String> {
    parse_endpoint_url(url).ok().map(|url| url.origin())
}

/// `'self'`, then the origin of every URL the app fetches, each once.
fn connect_sources(config: &Config, provider: &ProviderMetadata, app_origin: &str) -> Result<Vec<String>, ReleaseError> {
    let mut urls = vec![&config.issuer, &provider.token_endpoint, &provider.jwks_uri];
    urls.extend(provider.revocation_endpoint.as_ref());
    if config.fetch_userinfo {
        urls.extend(provider.userinfo_endpoint.as_ref());
    }
    urls.extend(&config.protected_apis);
    sources(&urls, app_origin)
}

/// `'self'`, then the origin of each of `urls`, each once.
fn sources(urls: &[&String], app_origin: &str) -> Result<Vec<String>, ReleaseError> {
    let mut sources = vec!["'self'".to_owned()];
    for origin in urls.iter().filter_map(|url| origin(url)) {
        if origin.contains('[') {
            return Err(ReleaseError::Ipv6Origin(origin));
        }
        if origin != app_origin && !sources.contains(&origin) {
            sources.push(origin);
        }
    }
    Ok(sources)
}

/// The content of every `<script>` without `src`, outside comments.
fn inline_scripts(html: &str) -> Result<Vec<&str>, ReleaseError> {
    // ASCII lower-casing keeps every byte offset.
    let lower = html.to_ascii_lowercase();
    let mut scripts = Vec::new();
    let mut at = 0;
    loop {
        let comment = lower[at..].find("<!--").map(|i| at + i);
        let Some(start) = find_script_tag(&lower, at) else { break };
        if let Some(comment) = comment.filter(|&comment| comment < start) {
            at = comment + lower[comment..].find("-->").ok_or(ReleaseError::Unclosed)? + 3;
            continue;
        }
        let body = start + lower[start..].find('>').ok_or(ReleaseError::Unclosed)? + 1;
        let end = body + lower[body..].find("</script").ok_or(ReleaseError::Unclosed)?;
        let tag = &lower[start..body];
        let has_src = tag
            .split(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
            .any(|a| a == "src" || a.starts_with("src="));
        if !has_src {
            scripts.push(&html[body..end]);
        }
        at = end;
    }
    Ok(scripts)
}

/// The next `<script` at or after `at` that opens a script tag (not `<scripts>`).
fn find_script_tag(lower: &str, mut at: usize) -> Option<usize> {
    loop {
        let start = at + lower[at..].find("<script")?;
        let next = lower.as_bytes().get(start + "<script".len());
        if next.is_none_or(|&b| b.is_ascii_whitespace() || b == b'/' || b == b'>') {
            return Some(start);
        }
        at = start + 1;
    }
}

/// A CSP hash source; the browser hashes the text with its line breaks
/// (CRLF or a lone CR) read as LF.
fn script_hash(script: &str) -> String {
    let digest = Sha256::digest(script.replace("\r\n", "\n").replace('\r', "\n").as_bytes());
    format!("'sha256-{}'", STANDARD.encode(digest))
}

/// A file of `dist/` that [`name_by_content`] renames.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    pub from: String,
    pub to: String,
}

/// Names trunk's js and wasm by the hash of their own bytes, as trunk names
/// the css, so that they can be cached for good: `app-<hash>.js` and
/// `app_bg-<hash>.wasm`. Returns `index.html` with the new names and the
/// renames to make; a file already named by its content is left alone, so
/// a second run changes nothing. The js glue loads the wasm from the path
/// the loader in `index.html` passes (its own default name is unused), so
/// renaming the wasm leaves the js's bytes as they are.
pub fn name_by_content(index_html: &str, files: &[DistFile]) -> (String, Vec<Rename>) {
    let mut index_html = index_html.to_owned();
    let mut renames = Vec::new();
    for file in files {
        let Some((stem, kind)) = trunk_rust_asset(&file.name) else { continue };
        if names_its_content(&file.name, &file.bytes) || !index_html.contains(&file.name) {
            continue;
        }
        let hash = format!("{:x}", seahash::hash(&file.bytes));
        let to = match kind {
            RustAsset::Glue => format!("{stem}-{hash}.js"),
            RustAsset::Wasm => format!("{stem}_bg-{hash}.wasm"),
        };
        // The name has trunk's hash in it, so it occurs only where
        // index.html refers to this file.
        index_html = index_html.replace(&file.name, &to);
        renames.push(Rename { from: file.name.clone(), to });
    }
    (index_html, renames)
}

/// Adds to `index.html` a preload of the provider's discovery document, so
/// the browser fetches it while the wasm downloads, not after the wasm
/// asks for it; the app's fetch of it then takes the preloaded answer
/// (same credentials mode: `crossorigin="anonymous"`). With `issuer`
/// `None`, only takes out a preload an earlier run added. `None` if
/// `index.html` has no `</head>` to put it before.
pub fn preload_discovery(index_html: &str, issuer: Option<&str>) -> Option<String> {
    let mut page = index_html.to_owned();
    // An earlier run's element, and the line it had to itself.
    if let Some(mark) = page.find(DISCOVERY_PRELOAD_MARK) {
        let start = page[..mark].rfind("<link")?;
        let end = mark + page[mark..].find("/>")? + 2;
        let line_start = page[..start].rfind('\n').map_or(0, |newline| newline + 1);
        let whole_line = page[line_start..start].trim().is_empty() && page[end..].starts_with('\n');
        let (start, end) = if whole_line { (line_start, end + 1) } else { (start, end) };
        page.replace_range(start..end, "");
    }
    let at = page.to_ascii_lowercase().find("</head>")?;
    let Some(issuer) = issuer else { return Some(page) };
    let link = format!(
        "<link rel=\"preload\" href=\"{}\" as=\"fetch\" crossorigin=\"anonymous\" {DISCOVERY_PRELOAD_MARK} />",
        html_attribute(&discovery_url(issuer))
    );
    // On a line of its own before the one that closes <head>, if that line
    // has nothing else; else just before </head>.
    let line_start = page[..at].rfind('\n').map_or(0, |newline| newline + 1);
    match page[line_start..at].trim().is_empty() {
        true => page.insert_str(line_start, &format!("    {link}\n")),
        false => page.insert_str(at, &link),
    }
    Some(page)
}

/// Marks the element that [`preload_discovery`] writes.
const DISCOVERY_PRELOAD_MARK: &str = "data-deploy-headers=\"discovery\"";

/// Text for a double-quoted HTML attribute.
fn html_attribute(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

enum RustAsset {
    Glue,
    Wasm,
}

/// trunk's `stem-<hash>.js` or `stem-<hash>_bg.wasm`, the hash a 64-bit
/// number in hex without leading zeros: 12 digits or more but about once in
/// a million builds, which then keep trunk's names (and revalidate). Shorter
/// names could be an app's own files, which other files may import by name.
fn trunk_rust_asset(name: &str) -> Option<(&str, RustAsset)> {
    let (named, kind) = match name.strip_suffix("_bg.wasm") {
        Some(named) => (named, RustAsset::Wasm),
        None => (name.strip_suffix(".js")?, RustAsset::Glue),
    };
    let (stem, hash) = named.rsplit_once('-')?;
    let trunk_hash = (12..=16).contains(&hash.len()) && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    (trunk_hash && !stem.is_empty()).then_some((stem, kind))
}

/// Is `name` trunk's `stem-<seahash of these bytes in hex>.ext`?
fn names_its_content(name: &str, bytes: &[u8]) -> bool {
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    stem.rsplit_once('-').is_some_and(|(_, hash)| hash == format!("{:x}", seahash::hash(bytes)))
}

/// A double-quoted string for nginx and Caddy.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests;
