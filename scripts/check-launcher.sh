#!/usr/bin/env bash
# Checks the ./hourglass launcher as a user meets it: from another directory, fast when the build is
# current (no Maven), rebuilds when the last build is older than the sources, and passes the CLI's
# exit codes through; its class-data sharing archive (AppCDS) is used when current, and a missing,
# stale, truncated or corrupt archive never stops a start. Prints PASS/FAIL lines; exit 0 only if all
# hold. ~40 s (one rebuild, three training runs of a few seconds).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
H="$ROOT/hourglass"
STAMP="$ROOT/hourglass-cli/target/.hourglass-built"
CDS="$ROOT/hourglass-cli/target/hourglass.jsa"
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
  # Maven leaves unchanged jars alone, so the archive may still match; it must be usable either way.
  if [[ -s "$CDS" ]] && "$H" --version >/dev/null 2>"$TMP/err2" && [[ ! -s "$TMP/err2" ]]; then
    ok "after the rebuild the CDS archive is current (made again if the jars changed) and starts are quiet"
  else
    ko "CDS archive after the rebuild: $(head -c 300 "$TMP/err2")"
  fi
  # A changed jar (here: a newer mtime) makes the archive stale: the next start trains again.
  touch "$(ls "$ROOT"/hourglass-cli/target/lib/*.jar | head -1)"
  if "$H" --version >/dev/null 2>"$TMP/err" && grep -q '^hourglass: preparing a faster start' "$TMP/err"; then
    ok "a stale CDS archive (a jar changed since) is made again"
  else
    ko "stale CDS archive: no training after a jar changed; stderr: $(head -c 300 "$TMP/err")"
  fi
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
# 4. class-data sharing: after a build the launcher has an archive, and the JVM maps it
if [[ -s "$CDS" ]] && n="$(HOURGLASS_JAVA_OPTS=-Xlog:class+load "$H" --version 2>"$TMP/err" | grep -c 'source: shared objects file (top)')" \
   && (( n > 100 )) && [[ ! -s "$TMP/err" ]]; then
  ok "the CDS archive exists after a build and --version loads $n classes from it"
else
  ko "CDS archive: $(ls -l "$CDS" 2>&1), classes from it: ${n:-0}; stderr: $(head -c 300 "$TMP/err")"
fi
version_runs() { # LABEL: ./hourglass --version prints the version, exits 0, and says nothing on stderr beyond the training line
  local out rc
  out="$("$H" --version 2>"$TMP/err")"; rc=$?
  if (( rc == 0 )) && [[ "$out" == hourglass\ * ]] && ! grep -v '^hourglass: preparing a faster start' "$TMP/err" | grep -q .; then
    ok "$1"
  else
    ko "$1: rc $rc, stdout '$out', stderr: $(head -c 300 "$TMP/err")"
  fi
}
# 4a. corrupt, same size and mtime (the launcher's key still matches): the JVM refuses it and starts without it, silently
if [[ -s "$CDS" ]]; then
  cp -p "$CDS" "$TMP/good.jsa"
  chmod u+w "$CDS"
  head -c 4096 /dev/urandom | dd of="$CDS" bs=4096 count=1 conv=notrunc status=none
  touch -r "$TMP/good.jsa" "$CDS"
  version_runs "a corrupt CDS archive (same size and mtime) starts normally, without it, and without a warning"
  grep -q 'preparing' "$TMP/err" && ko "a corrupt archive with a matching key was retrained (the key should still match)"
  # 4b. truncated (an interrupted write; the JVM would crash mapping it): the launcher notices and trains again
  truncate -s 100000 "$CDS"
  version_runs "a truncated CDS archive is replaced before the JVM maps it, then the command runs"
  grep -q '^hourglass: preparing a faster start' "$TMP/err" && (( $(stat -c %s "$CDS") > 1000000 )) \
    || ko "truncated archive: not retrained ($(stat -c %s "$CDS") bytes)"
fi
# 4d. missing, and HOURGLASS_CDS=off: no archive, no training, a normal start
rm -f "$CDS"
out="$(HOURGLASS_CDS=off "$H" --version 2>"$TMP/err")"; rc=$?
if (( rc == 0 )) && [[ "$out" == hourglass\ * && ! -s "$TMP/err" && ! -e "$CDS" ]]; then
  ok "HOURGLASS_CDS=off starts without an archive and without training"
else
  ko "HOURGLASS_CDS=off: rc $rc, '$out', $(head -c 300 "$TMP/err")"
fi
version_runs "a missing CDS archive is made again, then the command runs"
[[ -s "$CDS" ]] || ko "missing archive: not made again"
exit "$failed"
