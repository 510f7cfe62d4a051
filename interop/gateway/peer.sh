#!/usr/bin/env bash
# interop/gateway/peer.sh start|stop|url|dir|configure keycloak|oidc-provider
#
# Starts (or reuses) a real OpenID Provider from ../shared/peers for the gateway interop tests
# (hourglass-gateway, package dev.hourglass.gateway.interop) and prints its issuer URL on stdout.
# The JUnit classes call it; ./test also calls `start keycloak` in the background before Maven so
# Keycloak's ~25 s start overlaps the build, and the test class then just reuses it.
#
#  - PEERS_RUN: PID files, logs, the chosen port (<peer>.port). Under ./test (HOURGLASS_TEST_RUN set)
#    its PEERS_RUN, so ./test's cleanup stops what was started here; otherwise
#    $GW_INTEROP_PEERS_RUN or /tmp/hourglass-gw-interop-peers (never a developer's /tmp/peers).
#    `dir` prints it.
#  - Port: $PEER_PORT if set, else a free port from 20000-29999 (Keycloak's management port too), so
#    a peer another helper or developer runs on the usual port (3000, 8180) is never in the way and
#    never reused by mistake. Once chosen it is kept in $PEERS_RUN/<peer>.port, so every caller in
#    the same run gets the same URL; the OP's client registration is set to match by the caller.
#  - `start` is serialised by flock on $PEERS_RUN/<peer>.lock: a second caller waits for the
#    first one's start to finish and then reuses that peer (or retries if it failed).
#  - Every other env var is passed to the peer's start.sh (ACCESS_TTL, REDIRECT_URIS, ...); note
#    that a reused peer keeps the settings it was started with (Keycloak: use configure-client.sh).
#  - `stop` stops the peer by its PID file and forgets the port. `configure keycloak` runs
#    keycloak/configure-client.sh against the running Keycloak (same env variables).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SHARED="${HOURGLASS_SHARED:-$ROOT/../shared}"
PEERS="$SHARED/peers"
[[ -f "$PEERS/lib.sh" ]] || { echo "peer.sh: $PEERS/lib.sh not found (set HOURGLASS_SHARED)" >&2; exit 1; }

action="${1:-}"; peer="${2:-}"
case "$peer" in
  oidc-provider|keycloak) ;;
  *) echo "usage: peer.sh start|stop|url|dir|configure keycloak|oidc-provider" >&2; exit 2 ;;
esac
# Outside ./test an inherited PEERS_RUN (e.g. /tmp/peers of a developer) is NOT used: stop must
# only ever stop what these tests started.
if [[ -n "${HOURGLASS_TEST_RUN:-}" ]]; then PEERS_RUN="${PEERS_RUN:-$HOURGLASS_TEST_RUN/peers}"
else PEERS_RUN="${GW_INTEROP_PEERS_RUN:-/tmp/hourglass-gw-interop-peers}"; fi
export PEERS_RUN
mkdir -p "$PEERS_RUN"
. "$PEERS/lib.sh"

portf="$PEERS_RUN/$peer.port"
url_for() { # PORT
  if [[ "$peer" == keycloak ]]; then echo "http://127.0.0.1:$1/realms/hourglass"; else echo "http://127.0.0.1:$1"; fi
}
free_port() { # -> a port nobody listens on
  local p i
  for i in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 10000 ))
    port_busy "$p" || { echo "$p"; return 0; }
  done
  die "no free port found"
}

case "$action" in
  start)
    exec 9>"$PEERS_RUN/$peer.lock"
    flock -w 600 9 || die "timeout waiting for another start of $peer ($PEERS_RUN/$peer.lock)"
    if [[ -s "$portf" ]] && pid_alive "$PEERS_RUN/$peer.pid"; then
      port="$(cat "$portf")"
    else
      port="${PEER_PORT:-$(free_port)}"
      echo "$port" > "$portf"
    fi
    extra=()
    if [[ "$peer" == keycloak ]]; then
      mgmt="$PEERS_RUN/keycloak.mgmt-port"
      if ! [[ -s "$mgmt" ]] || ! pid_alive "$PEERS_RUN/keycloak.pid"; then free_port > "$mgmt"; fi
      # A Keycloak home of our own: start.sh rewrites $KC_HOME/data/import at every start, so two
      # starts from one home at once (another helper's, a developer's) could load each other's
      # realm. Ours is a copy of the shared install, kept across runs (the one-time re-augmentation
      # stays in it); starts from it are serialised machine-wide by a second lock.
      kc_version="${KC_VERSION:-26.5.6}"
      home="$PEERS_WORK/keycloak-$kc_version-hourglass-gw"
      exec 8>"$PEERS_WORK/keycloak-hourglass-gw.lock"
      flock -w 600 8 || die "timeout waiting for another start from $home"
      if ! [[ -x "$home/bin/kc.sh" ]]; then
        "$PEERS/keycloak/install.sh" 8>&- 9>&- >&2
        rm -rf "$home.tmp"; cp -a "$PEERS_WORK/keycloak-$kc_version" "$home.tmp" && mv "$home.tmp" "$home"
      fi
      extra=(KC_MGMT_PORT="$(cat "$mgmt")" KC_HOME="$home")
    fi
    # 8>&- 9>&- : the peer's background process must not inherit (and hold) the locks.
    env PORT="$port" "${extra[@]}" "$PEERS/$peer/start.sh" 8>&- 9>&-
    ;;
  stop)
    "$PEERS/$peer/stop.sh" || true
    rm -f "$portf" "$PEERS_RUN/keycloak.mgmt-port"
    ;;
  dir) echo "$PEERS_RUN" ;;
  configure) # Keycloak only: re-point the running peer's client (REDIRECT_URIS, ACCESS_TTL, ...)
    [[ "$peer" == keycloak ]] || die "configure: only for keycloak"
    [[ -s "$portf" ]] && pid_alive "$PEERS_RUN/keycloak.pid" || die "keycloak is not running in $PEERS_RUN"
    PORT="$(cat "$portf")" "$PEERS/keycloak/configure-client.sh"
    ;;
  url)
    [[ -s "$portf" ]] && pid_alive "$PEERS_RUN/$peer.pid" || die "$peer is not running in $PEERS_RUN"
    url_for "$(cat "$portf")"
    ;;
  *) echo "usage: peer.sh start|stop|url|dir|configure keycloak|oidc-provider" >&2; exit 2 ;;
esac
