#!/usr/bin/env bash
# Proves the one-clock build check really fails the build: copies hourglass-core (plus the poms and
# build/) into a temp dir, adds a class that reads the system time, and runs the build up to
# process-classes (where forbidden-apis runs).
#   1. in package dev.hourglass.core.oneclockprobe → the build must FAIL and name each forbidden call;
#   2. the same class in package dev.hourglass.core.clock → the build must PASS (the check is scoped
#      to non-clock packages, and a failure in 1 is not just a broken build).
# Prints PASS/FAIL lines; exit 0 only if both hold. Takes ~15 s.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TMP="$(mktemp -d /tmp/hourglass-one-clock.XXXXXX)"
trap 'rm -rf "$TMP"' EXIT
MVN=(mvn -B -q -pl hourglass-core -DskipTests ${MVN_OFFLINE:+-o} process-classes)

cp "$ROOT/pom.xml" "$TMP/"
cp -r "$ROOT/build" "$TMP/"
# every module the root pom lists (hourglass-* and benchmarks), so the reactor can read the poms
for m in $(sed -n 's#.*<module>\(.*\)</module>.*#\1#p' "$ROOT/pom.xml"); do
  mkdir -p "$TMP/$m"; cp "$ROOT/$m/pom.xml" "$TMP/$m/"
done
cp -r "$ROOT/hourglass-core/src" "$TMP/hourglass-core/"
rm -rf "$TMP/hourglass-core/src/test"

probe() { # PACKAGE -> writes the probe class into that package
  local pkg="$1" dir="$TMP/hourglass-core/src/main/java/${1//.//}"
  mkdir -p "$dir"
  cat > "$dir/OneClockProbe.java" <<JAVA
package $pkg;

public final class OneClockProbe {
  public static String readsTheSystemTime() {
    return java.time.Instant.now() + " " + System.currentTimeMillis() + " " + new java.util.Date();
  }
}
JAVA
}

failed=0
probe dev.hourglass.core.oneclockprobe
if out="$(cd "$TMP" && "${MVN[@]}" 2>&1)"; then
  echo "FAIL one-clock: the build passed with Instant.now() outside the clock package"; failed=1
elif grep -q 'Forbidden method invocation: java.time.Instant#now()' <<<"$out" \
  && grep -q 'Forbidden method invocation: java.lang.System#currentTimeMillis()' <<<"$out" \
  && grep -q 'Forbidden method invocation: java.util.Date#<init>()' <<<"$out"; then
  echo "PASS one-clock: Instant.now(), System.currentTimeMillis() and new Date() outside clock/ fail the build"
else
  echo "FAIL one-clock: the build failed, but not with forbidden-apis naming each call:"; tail -20 <<<"$out"; failed=1
fi

rm -rf "$TMP/hourglass-core/src/main/java/dev/hourglass/core/oneclockprobe"
probe dev.hourglass.core.clock
if out="$(cd "$TMP" && "${MVN[@]}" 2>&1)"; then
  echo "PASS one-clock: the same calls inside the clock package build"
else
  echo "FAIL one-clock: the build failed with the probe inside the clock package:"; tail -20 <<<"$out"; failed=1
fi
exit "$failed"
