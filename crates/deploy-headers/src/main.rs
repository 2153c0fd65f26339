//! `deploy-headers`: writes the response headers for the release build.
//! See `--help`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use deploy_headers::{DistFile, Release, SiteRoot, read_config};
use browser_oidc::oauth::discovery::discovery_url;

const HELP: &str = "\
Usage: deploy-headers [--dist DIR] [--site-root PATH] [--out DIR] [--no-discovery-preload]

Prepares the release build in DIR (dist by default) and writes the headers
that protect it. It reads DIR/config.json and fetches the provider's
discovery document, then:

  - renames trunk's js and wasm after their own bytes and updates
    DIR/index.html, so every hashed file can be cached for a year;
  - writes brotli (.br) and gzip (.gz) copies beside those files;
  - adds to DIR/index.html a preload of the discovery document, fetched
    while the wasm downloads (leave it out with --no-discovery-preload: the
    provider then sees only visits that sign in);
  - writes a Content-Security-Policy whose connect-src lists every origin
    the app fetches from, and whose script-src allows trunk's loader by its
    hash; no framing, no referrer, no sniffing; a year of caching for
    content-named files, revalidation for the rest. Deploy DIR with one of:

  DIR/_headers         for Netlify or Cloudflare Pages (inside DIR already,
                       with DIR/_redirects, Netlify's fallback to the app)
  OUT/nginx.conf       to include in the app's nginx server block
  OUT/Caddyfile        a Caddy site for the app's origin

  --site-root PATH     where DIR will be on the server (default: DIR here)
  --out DIR            where nginx.conf and Caddyfile go (default: server-config)

Run it again after every build and every change to config.json.";

struct Options {
    dist: PathBuf,
    site_root: Option<String>,
    out: PathBuf,
    preload_discovery: bool,
}

fn main() -> ExitCode {
    match parse_args(std::env::args().skip(1)).and_then(run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("deploy-headers: {message}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options =
        Options { dist: "dist".into(), site_root: None, out: "server-config".into(), preload_discovery: true };
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--dist" => options.dist = value()?.into(),
            "--site-root" => options.site_root = Some(value()?),
            "--out" => options.out = value()?.into(),
            "--no-discovery-preload" => options.preload_discovery = false,
            "-h" | "--help" => {
                println!("{HELP}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}\n\n{HELP}")),
        }
    }
    Ok(options)
}

fn run(options: Options) -> Result<(), String> {
    let dist = &options.dist;
    let config = read_config(&read(&dist.join("config.json"))?).map_err(|e| format!("{}: {e}", dist.join("config.json").display()))?;
    let index_html = read(&dist.join("index.html"))?;
    let site_root = match options.site_root {
        Some(root) => root,
        None => std::path::absolute(dist).map_err(|e| e.to_string())?.display().to_string(),
    };
    let site_root = SiteRoot::new(&site_root).map_err(|e| e.to_string())?;
    // Everything that can fail for a reason outside dist/ comes first, so
    // dist/ is changed only once it will be used.
    let discovery = fetch_discovery(&config.issuer)?;
    let issuer = options.preload_discovery.then_some(config.issuer.as_str());
    let index_html = match deploy_headers::preload_discovery(&index_html, issuer) {
        Some(preloading) => preloading,
        None => {
            let _ = writeln!(
                std::io::stderr(),
                "index.html has no </head>, or an earlier discovery preload it cannot read: the preload is left as it was"
            );
            index_html
        }
    };
    let index_html = name_files_by_content(dist, &index_html)?;
    let release = Release::new(&config, &discovery, &index_html, &dist_files(dist)?).map_err(|e| e.to_string())?;

    for path in &release.immutable_paths {
        precompress(dist, path.trim_start_matches('/'))?;
    }
    std::fs::create_dir_all(&options.out).map_err(|e| format!("cannot create {}: {e}", options.out.display()))?;
    write(&dist.join("_headers"), &release.static_headers())?;
    write(&dist.join("_redirects"), &release.static_redirects())?;
    write(&options.out.join("nginx.conf"), &release.nginx(&site_root))?;
    write(&options.out.join("Caddyfile"), &release.caddy(&site_root))?;
    // A closed pipe (`| head`) is no error: the files are written.
    let _ = writeln!(std::io::stdout(), "{}", release.content_security_policy.replace("; ", ";\n  "));
    Ok(())
}

/// Renames trunk's js and wasm after their own bytes (see
/// [`deploy_headers::name_by_content`]) and writes `index_html` with the new
/// names. Never leaves `index.html` naming a missing file: the files are
/// copied to their new names first, `index.html` is replaced in one rename,
/// and only then are the old names removed.
fn name_files_by_content(dist: &Path, index_html: &str) -> Result<String, String> {
    let (renamed_index, renames) = deploy_headers::name_by_content(index_html, &dist_files(dist)?);
    for rename in &renames {
        std::fs::copy(dist.join(&rename.from), dist.join(&rename.to))
            .map_err(|e| format!("cannot copy {} to {}: {e}", rename.from, rename.to))?;
    }
    let staged = dist.join(".index.html.new");
    let replaced = std::fs::write(&staged, &renamed_index)
        .and_then(|()| std::fs::rename(&staged, dist.join("index.html")))
        .map_err(|e| format!("cannot replace index.html: {e}"));
    if replaced.is_err() {
        let _ = std::fs::remove_file(&staged); // never deployed by mistake
    }
    replaced?;
    for rename in &renames {
        std::fs::remove_file(dist.join(&rename.from)).map_err(|e| format!("cannot remove {}: {e}", rename.from))?;
        let _ = writeln!(std::io::stderr(), "renamed {} to {}", rename.from, rename.to);
    }
    Ok(renamed_index)
}

/// Writes `NAME.br` and `NAME.gz` beside a content-named file, for servers
/// that send a compressed copy as it is (Caddy's `precompressed`, nginx's
/// `gzip_static`). Only content-named files: their copies cannot go stale.
fn precompress(dist: &Path, name: &str) -> Result<(), String> {
    let bytes = std::fs::read(dist.join(name)).map_err(|e| format!("cannot read {name}: {e}"))?;
    let mut brotli = Vec::new();
    let settings = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
    brotli::BrotliCompress(&mut bytes.as_slice(), &mut brotli, &settings).map_err(|e| format!("cannot compress {name}: {e}"))?;
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gzip.write_all(&bytes).map_err(|e| format!("cannot compress {name}: {e}"))?;
    let gzip = gzip.finish().map_err(|e| format!("cannot compress {name}: {e}"))?;
    for (extension, compressed) in [("br", brotli), ("gz", gzip)] {
        let path = dist.join(format!("{name}.{extension}"));
        std::fs::write(&path, compressed).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

/// The discovery document, fetched now: the policy must name the
/// endpoints the provider publishes today.
fn fetch_discovery(issuer: &str) -> Result<String, String> {
    let url = discovery_url(issuer);
    let unreachable = |reason: String| {
        format!("the provider's discovery document at {url} could not be fetched ({reason}); the headers name its endpoints, so it must be reachable from here")
    };
    // A redirect to another origin would pass here and then be blocked
    // by the policy in the browser: refused instead.
    let client = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .map_err(|e| unreachable(e.to_string()))?;
    let response = client.get(&url).send().map_err(|e| unreachable(innermost(&e)))?;
    if response.status().is_redirection() {
        return Err(unreachable(format!("HTTP {}, a redirect; use the issuer the document itself names", response.status())));
    }
    if !response.status().is_success() {
        return Err(unreachable(format!("HTTP {}", response.status())));
    }
    response.text().map_err(|e| unreachable(e.to_string()))
}

/// reqwest's outer message only says that sending failed; the cause
/// (connection refused, a name that does not resolve) is innermost.
fn innermost(error: &dyn std::error::Error) -> String {
    let mut error = error;
    while let Some(source) = error.source() {
        error = source;
    }
    error.to_string()
}

/// The files directly in `dist/` (trunk writes no folders).
fn dist_files(dist: &Path) -> Result<Vec<DistFile>, String> {
    let entries = std::fs::read_dir(dist).map_err(|e| format!("cannot list {}: {e}", dist.display()))?;
    let mut files = Vec::new();
    for entry in entries.filter_map(Result::ok).filter(|entry| entry.path().is_file()) {
        let Ok(name) = entry.file_name().into_string() else { continue };
        let bytes = std::fs::read(entry.path()).map_err(|e| format!("cannot read {name}: {e}"))?;
        files.push(DistFile { name, bytes });
    }
    Ok(files)
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e} (build the app first: trunk build --release)", path.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let _ = writeln!(std::io::stderr(), "wrote {}", path.display());
    Ok(())
}
