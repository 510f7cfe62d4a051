#!/usr/bin/env bash
# A bounded fuzzing run (issue 6), after `mvn verify` has compiled the tests: every Jazzer target
# in HostileFuzzTest fuzzes for its maxDuration (5 s) in its own JVM (Jazzer fuzzes one target per
# JVM). Prints PASS/FAIL per target for ./test. A finding is written next to the seeds
# (src/test/resources/.../HostileFuzzTestInputs/<target>/) and replays in every later test run.
set -uo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
targets=(idTokenParsing logoutTokenValidation cookieDecoding redirectValidation configLoading)
status=0
for t in "${targets[@]}"; do
  log="$(mktemp)"
  if JAZZER_FUZZ=1 mvn -o -B -q -pl hourglass-gateway -am test -Dsurefire.excludedGroups= \
       -Dtest="HostileFuzzTest#$t" -Dsurefire.failIfNoSpecifiedTests=false >"$log" 2>&1; then
    echo "PASS fuzz: $t (5 s of Jazzer fuzzing, no finding)"
  else
    echo "FAIL fuzz: $t (see the finding below)"
    grep -vE '^\s+at ' "$log" | tail -25
    status=1
  fi
  rm -f "$log"
done
exit "$status"
