#!/usr/bin/env bash
# Checks the ./hourglass launcher as a user meets it: from another directory, fast when the build is
# current (no Maven), rebuilds when the last build is older than the sources, and passes the CLI's
# exit codes through. Prints PASS/FAIL lines; exit 0 only if all hold. ~20 s (one rebuild).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
H="$ROOT/hourglass"
STAMP="$ROOT/hourglass-cli/target/.hourglass-built"
TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1
failed=0
ok() { echo "PASS launcher: $*"; }
ko() { echo "FAIL launcher: $*"; failed=1; }

"$H" --version >/dev/null 2>&1   # make sure a current build exists first

# 1. stale: a build older than the sources → one "building Hourglass…" line, then the command runs
touch -d '2000-01-01 00:00:00' "$STAMP"
if out="$("$H" --version 2>"$TMP/err")" && grep -q '^building Hourglass' "$TMP/err" && [[ "$out" == hourglass\ * ]]; then
  ok "rebuilds when the sources are newer than the last build, then runs"
else
  ko "stale build: stdout '$out', stderr: $(head -c 300 "$TMP/err")"
fi

# 2. current: no Maven, quick, from any directory
start=$(date +%s%N)
out="$("$H" --help 2>"$TMP/err")"; rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
if (( rc == 0 )) && ! grep -q building "$TMP/err" && grep -qE '^\s+op\s' <<<"$out" && grep -qE '^\s+gateway\s' <<<"$out" \
   && grep -qE '^\s+clock\s' <<<"$out" && grep -qE '^\s+config\s' <<<"$out"; then
  ok "up to date: --help from $TMP lists op, gateway, config, clock in ${ms} ms without building"
else
  ko "--help (rc $rc, ${ms} ms): $(head -c 300 "$TMP/err")"
fi

# 3. exit codes pass through exec
"$H" config check "$TMP/missing.yaml" >/dev/null 2>"$TMP/err"; rc=$?
if (( rc == 2 )) && grep -q "no such file" "$TMP/err"; then ok "a bad config exits 2 with the reason"; else ko "config check missing file: rc $rc"; fi
"$H" op --access-ttl soon >/dev/null 2>"$TMP/err"; rc=$?
if (( rc == 2 )) && grep -q "not a duration" "$TMP/err" && ! grep -q $'\tat ' "$TMP/err"; then
  ok "a bad flag exits 2 with usage, no stack trace"
else
  ko "bad flag: rc $rc: $(head -c 300 "$TMP/err")"
fi
"$H" clock show --op http://127.0.0.1:1 >/dev/null 2>"$TMP/err"; rc=$?
if (( rc == 1 )) && grep -q "cannot reach" "$TMP/err"; then ok "an unreachable OP exits 1 with one line"; else ko "clock show unreachable: rc $rc"; fi
exit "$failed"
