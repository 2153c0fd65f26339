#!/usr/bin/env bash
# Regenerates the results table in SECURITY.md from a test run.
#   scripts/security-report.sh            runs scripts/test.sh, then writes the table
#   scripts/security-report.sh LOG        uses the output of an earlier test run
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
import re, sys
log = open(sys.argv[1], encoding="utf-8", errors="replace").read()
passed = set()
failed = set()
for line in log.splitlines():
    m = re.match(r"^test (?:[\w:]+::)?(\w+) \.\.\. (ok|FAILED)$", line.strip())
    if m:
        (passed if m.group(2) == "ok" else failed).add(m.group(1))
    m = re.match(r"^(ok|not ok) \d+ - (.*)$", line.strip())
    if m:
        (passed if m.group(1) == "ok" else failed).add(m.group(2).strip())

rows, results = [], {"pass": 0, "fail": 0}
for line in open("security/scenarios.tsv", encoding="utf-8"):
    if line.startswith("#") or line.startswith("group\t") or not line.strip():
        continue
    group, scenario, expected, tests = line.rstrip("\n").split("\t")
    names = [t.split(":", 1) for t in tests.split(";")]
    missing = [n for _, n in names if n not in passed]
    result = "pass" if not missing else "FAIL"
    results["pass" if result == "pass" else "fail"] += 1
    shown = "<br>".join(f"{tier}: `{name}`" for tier, name in names)
    rows.append(f"| {group} | {scenario} | {expected} | {shown} | {result} |")

table = "\n".join(
    ["| Group | Scenario | Expected | Tests (tier: name) | Result |", "| --- | --- | --- | --- | --- |"] + rows
)
summary = f"**{results['pass']} of {results['pass'] + results['fail']} scenarios pass.**"
doc = open("SECURITY.md", encoding="utf-8").read()
start, end = "<!-- BEGIN GENERATED TABLE -->", "<!-- END GENERATED TABLE -->"
before, rest = doc.split(start)
_, after = rest.split(end)
open("SECURITY.md", "w", encoding="utf-8").write(f"{before}{start}\n{summary}\n\n{table}\n{end}{after}")
print(summary.strip("*"))
if results["fail"]:
    sys.exit(1)
PY
