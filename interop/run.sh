#!/usr/bin/env bash
# Third-party relying parties against `hourglass op` (issue 2 "Done means"). Run by ./test.
# Starts ONE dev OP (interop/op.yaml, any free port, virtual clock, --access-ttl 20s), then:
#   openid-client/test.mjs   panva openid-client (Node): discovery, code + PKCE, userinfo, refresh,
#                            RP-initiated logout, plus hostile cases
#   mod_auth_openidc.sh      Apache httpd + mod_auth_openidc from ../shared/peers: headless login,
#                            info hook, refresh on its own
# Prints PASS/FAIL lines; exits 0 only if all passed. Stops what it started.
# Env: HOURGLASS_SHARED (default ../shared beside the repo); HOURGLASS_TEST_RUN (a run dir from
# ./test; default: a temp dir); ONLY=openid-client|mod_auth_openidc to run one of them.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
export HOURGLASS_SHARED="${HOURGLASS_SHARED:-$ROOT/../shared}"
if [[ -n "${HOURGLASS_TEST_RUN:-}" ]]; then RUN="$HOURGLASS_TEST_RUN/interop"; OWN_RUN=0
else RUN="$(mktemp -d /tmp/hourglass-interop.XXXXXX)"; OWN_RUN=1; fi
mkdir -p "$RUN"
export PEERS_RUN="${PEERS_RUN:-$RUN/peers}"
mkdir -p "$PEERS_RUN"

OP_PID=""
cleanup() {
  [[ -n "$OP_PID" ]] && kill "$OP_PID" 2>/dev/null && wait "$OP_PID" 2>/dev/null
  rm -f "$RUN/../hourglass-op.pid"
  (( OWN_RUN )) && rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Build the distribution if needed (first use), so the OP start below is quick.
"$ROOT/hourglass" --version >/dev/null || { echo "FAIL interop: ./hourglass could not be built"; exit 1; }

OP_LOG="$RUN/op.log"
"$ROOT/hourglass" op --config "$HERE/op.yaml" --port 0 --access-ttl 20s >"$OP_LOG" 2>&1 &
OP_PID=$!
[[ -n "${HOURGLASS_TEST_RUN:-}" ]] && echo "$OP_PID" > "$HOURGLASS_TEST_RUN/hourglass-op.pid"
ISSUER=""
for _ in $(seq 1 120); do
  ISSUER="$(sed -n 's/^ *issuer: *\(http[^ ]*\).*/\1/p' "$OP_LOG" | head -1)"
  [[ -n "$ISSUER" ]] && break
  kill -0 "$OP_PID" 2>/dev/null || break
  sleep 0.25
done
if [[ -z "$ISSUER" ]] || ! curl -sf --max-time 5 -o /dev/null "$ISSUER/.well-known/openid-configuration"; then
  echo "FAIL interop: hourglass op did not start (log below)"
  sed 's/^/  op: /' "$OP_LOG" | tail -30
  exit 1
fi
echo "hourglass op is up at $ISSUER (log: $OP_LOG)"
export ISSUER

rc=0
if [[ -z "${ONLY:-}" || "${ONLY}" == openid-client ]]; then
  if [[ ! -d "$HERE/node_modules/openid-client" ]]; then
    echo "FAIL openid-client: interop/node_modules missing (run: cd interop && npm ci)"; rc=1
  else
    CLIENT_ID=openid-client CLIENT_SECRET=openid-client-secret REDIRECT_URI=http://127.0.0.1:8082/callback \
    POST_LOGOUT_REDIRECT_URI=http://127.0.0.1:8082/logged-out ACCESS_TTL=20 \
      node "$HERE/openid-client/test.mjs" || rc=1
  fi
fi
if [[ -z "${ONLY:-}" || "${ONLY}" == mod_auth_openidc ]]; then
  "$HERE/mod_auth_openidc.sh" || rc=1
fi
exit "$rc"
