#!/usr/bin/env bash
# Regenerates the results table in SECURITY.md from a test run.
#   scripts/security-report.sh            runs scripts/test.sh, then writes the table
#   scripts/security-report.sh LOG        uses the output of an earlier test run
# A test is named tier:file:name and matched on all three, so a failing test
# that shares its name with a passing one elsewhere still counts as failing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log="${1:-}"
if [ -z "$log" ]; then
  log="$ROOT/target/test-run.log"
  mkdir -p target
  scripts/test.sh 2>&1 | tee "$log"
fi
python3 - "$log" <<'PY'
import glob, os, re, sys

def unit_test_file(crate_dir, test_path):
    """oauth::jwt::tests::name -> src/oauth/jwt.rs (or .../mod.rs)."""
    modules = [m for m in test_path.split("::")[:-1] if m != "tests"]
    base = f"{crate_dir}src/" + "/".join(modules)
    for candidate in (base + ".rs", base + "/mod.rs", f"{crate_dir}src/lib.rs"):
        if glob.glob(candidate):
            return candidate
    return base + ".rs"

# Each package's folder, by the name cargo gives its test binaries.
CRATES = {
    "oidc_spa": "",
    "demo_api": "api/",
    "browser_oidc": "crates/browser-oidc/",
    "leptos_browser_oidc": "crates/leptos-browser-oidc/",
    "deploy_headers": "crates/deploy-headers/",
}

def crate_dir_of(unit, path, binary):
    """The package a test binary belongs to (cargo prints paths relative to it)."""
    if unit:
        return CRATES.get(os.path.basename(binary).rsplit("-", 1)[0], "")
    found = [d for d in CRATES.values() if os.path.exists(d + path)]
    if len(found) != 1:
        sys.exit(f"cannot tell which package {path} ({binary}) belongs to: {found}")
    return found[0]

def e2e_files():
    """Test name -> file, from the end-to-end sources."""
    files = {}
    for path in sorted(glob.glob("tests/e2e/*.test.mjs")):
        for name in re.findall(r"""^test\((['"])(.*?)\1""", open(path, encoding="utf-8").read(), re.M):
            files[name[1]] = path
    return files

def describe(test):
    tier, file, name = test.split(":", 2)
    return f"{tier}: `{name}` ({file})"

log = open(sys.argv[1], encoding="utf-8", errors="replace").read()
results = {}  # "tier:file:name" -> "ok" | "FAILED"
context = None
e2e = e2e_files()
for line in log.splitlines():
    line = line.strip()
    m = re.match(r"^Running (unittests )?(\S+) \((\S+)\)", line)
    if m:
        unit, path, binary = m.groups()
        crate_dir = crate_dir_of(bool(unit), path, binary)
        file = None if unit else crate_dir + path
        if binary.endswith(".wasm"):
            context = ("browser", file, crate_dir)
        elif crate_dir == "api/":
            context = ("api", file, crate_dir)
        elif path.endswith("parser_fuzz.rs"):
            context = ("fuzz", file, crate_dir)
        else:
            context = ("native", file, crate_dir)
        continue
    m = re.match(r"^test (\S+) \.\.\. (ok|FAILED|FAIL)$", line)
    if m and context:
        tier, path, crate_dir = context
        test_path, outcome = m.groups()
        name = test_path.split("::")[-1]
        file = path or unit_test_file(crate_dir, test_path)
        key = f"{tier}:{file}:{name}"
        results[key] = "ok" if outcome == "ok" and results.get(key) != "FAILED" else "FAILED"
        continue
    m = re.match(r"^(ok|not ok) \d+ - (.*)$", line)
    if m:
        name = m.group(2).strip()
        if " # SKIP" in name:  # skipped in this pass: neither a pass nor a failure
            continue
        key = f"e2e:{e2e.get(name, '?')}:{name}"
        results[key] = "ok" if m.group(1) == "ok" and results.get(key) != "FAILED" else "FAILED"

rows, counts = [], {"pass": 0, "fail": 0, "alias": 0}
lines = [
    line.rstrip("\n").split("\t")
    for line in open("security/scenarios.tsv", encoding="utf-8")
    if not (line.startswith("#") or line.startswith("group\t") or not line.strip())
]
scenarios = {fields[1] for fields in lines}
for fields in lines:
    group, scenario, expected, tests = fields[:4]
    same_as = fields[4] if len(fields) > 4 else ""
    names = tests.split(";")
    missing = [n for n in names if results.get(n) != "ok"]
    result = "pass" if not missing else "FAIL"
    if same_as:
        if same_as not in scenarios:
            sys.exit(f"security/scenarios.tsv: “{scenario}” is the same as “{same_as}”, which is not listed")
        counts["alias"] += 1
        result += f" (same scenario as “{same_as}”, counted there)"
    # An alias that fails is a failure all the same.
    if not same_as or missing:
        counts["pass" if not missing else "fail"] += 1
    shown = "<br>".join(describe(n) for n in names)
    rows.append(f"| {group} | {scenario} | {expected} | {shown} | {result} |")
    if missing:
        print("not passed:", *missing, sep="\n  ", file=sys.stderr)

table = "\n".join(
    ["| Group | Scenario | Expected | Tests (tier: name (file)) | Result |", "| --- | --- | --- | --- | --- |"] + rows
)
summary = (
    f"**{counts['pass']} of {counts['pass'] + counts['fail']} scenarios pass**, each counted once; "
    f"{counts['alias']} more rows name a scenario of another list that is the same check, and count there."
)
doc = open("SECURITY.md", encoding="utf-8").read()
start, end = "<!-- BEGIN GENERATED TABLE -->", "<!-- END GENERATED TABLE -->"
before, rest = doc.split(start)
_, after = rest.split(end)
open("SECURITY.md", "w", encoding="utf-8").write(f"{before}{start}\n{summary}\n\n{table}\n{end}{after}")
print(summary.replace("**", ""))
if counts["fail"]:
    sys.exit(1)
PY
