#!/usr/bin/env bash
# Apache httpd + mod_auth_openidc (../shared/peers) as a relying party of `hourglass op`.
# Needs ISSUER (a running hourglass op with interop/op.yaml and --access-ttl 20s; run.sh starts it).
# httpd listens on 127.0.0.1:8081 (client gateway/gateway-secret, redirect /redirect_uri) and proxies
# to the upstream peer on 127.0.0.1:9000. Prints PASS/FAIL lines; exit 1 on any failure.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SHARED="${HOURGLASS_SHARED:-$HERE/../../shared}"
PEERS="$SHARED/peers"
: "${ISSUER:?ISSUER must point at a running hourglass op}"
export PEERS_RUN="${PEERS_RUN:-$(mktemp -d /tmp/hourglass-mao.XXXXXX)}"
RP=http://127.0.0.1:8081
TMP="$(mktemp -d)"
JAR="$TMP/jar"; : >"$JAR"
failures=0
pass() { echo "PASS mod_auth_openidc: $*"; }
fail() { echo "FAIL mod_auth_openidc: $*"; failures=$((failures + 1)); }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

STARTED=()
cleanup() {
  local s
  for s in "${STARTED[@]}"; do "$PEERS/$s/stop.sh" >/dev/null 2>&1; done
  rm -rf "$TMP"
}
trap cleanup EXIT

# ---- peers: upstream (nginx) and httpd, through their own scripts ----
if port_busy 9000; then
  echo "something already listens on 127.0.0.1:9000; using it as the upstream"
elif "$PEERS/upstream/start.sh" >/dev/null 2>"$TMP/upstream.err"; then
  STARTED+=(upstream)
else
  fail "upstream peer did not start: $(tail -3 "$TMP/upstream.err")"; exit 1
fi
# An httpd left running by an earlier step of the same ./test run (same PEERS_RUN) points at another
# OP: stop it through its own script (by its PID file), then start ours.
if [[ -s "$PEERS_RUN/httpd.pid" ]] && kill -0 "$(cat "$PEERS_RUN/httpd.pid")" 2>/dev/null; then
  echo "stopping the httpd peer an earlier step of this run left running"
  "$PEERS/mod_auth_openidc/stop.sh" >/dev/null 2>&1
fi
if port_busy 8081; then
  fail "127.0.0.1:8081 is already in use (another httpd?); mod_auth_openidc must listen there (redirect_uri)"; exit 1
fi
if OP_ISSUER="$ISSUER" "$PEERS/mod_auth_openidc/start.sh" >/dev/null 2>"$TMP/httpd.err"; then
  STARTED+=(mod_auth_openidc)
else
  fail "httpd + mod_auth_openidc did not start: $(tail -5 "$TMP/httpd.err")"; exit 1
fi
pass "httpd + mod_auth_openidc started against $ISSUER"

op_events() { curl -sS --max-time 5 "$ISSUER/_hourglass/events"; }
refresh_grants() { op_events | jq '[.[] | select(.type == "token_issued" and .grant_type == "refresh_token" and .client_id == "gateway")] | length'; }
info() { curl -sS --max-time 10 -b "$JAR" "$RP/redirect_uri?info=json"; }
jwt_claims() { printf '%s' "$1" | cut -d. -f2 | tr -- '-_' '+/' | { s="$(cat)"; case $(( ${#s} % 4 )) in 2) s="$s==";; 3) s="$s=";; esac; printf '%s' "$s" | base64 -d 2>/dev/null; }; }

# ---- 1. headless login ------------------------------------------------------------------------
# mod_auth_openidc has no per-request login_hint, but its third-party-initiated login does:
# /redirect_uri?iss=<issuer>&target_link_uri=<url>&login_hint=alice puts login_hint on the
# authorization request, and our OP (auto-login: true) then issues the code with no page.
start_url="$RP/redirect_uri?iss=$(jq -rn --arg v "$ISSUER" '$v|@uri')&target_link_uri=$(jq -rn --arg v "$RP/" '$v|@uri')&login_hint=alice"
out="$(curl -sS --max-time 20 -L --max-redirs 10 -b "$JAR" -c "$JAR" -o "$TMP/body" -w '%{http_code} %{url_effective}' "$start_url")"
if [[ "$out" == "200 $RP/" ]] && grep -q "upstream ok" "$TMP/body" && grep -q mod_auth_openidc_session "$JAR"; then
  pass "headless login through hourglass op (third-party-initiated login with login_hint, auto-login)"
else
  fail "login: ended at '$out': $(head -c 300 "$TMP/body")"
  tail -5 "$PEERS_RUN/httpd/logs/error.log" 2>/dev/null | sed 's/^/  httpd: /'
  exit 1
fi

# ---- 2. the info hook shows the session --------------------------------------------------------
info1="$(info)"
sub="$(jq -r '.userinfo.sub // .id_token.sub // empty' <<<"$info1" 2>/dev/null)"
exp1="$(jq -r '.access_token_expires // empty' <<<"$info1" 2>/dev/null)"
at1="$(jq -r '.access_token // empty' <<<"$info1" 2>/dev/null)"
if [[ "$sub" == alice && -n "$exp1" && -n "$at1" ]]; then
  pass "info hook (/redirect_uri?info=json) shows the session: sub=alice, access_token_expires=$exp1"
else
  fail "info hook: $(head -c 400 <<<"$info1")"
fi

# ---- 3. it refreshes on its own ----------------------------------------------------------------
# mod_auth_openidc decides on ITS OWN real clock: access_token_expires = (its now + expires_in), and
# it refreshes on a request when fewer than OIDCRefreshAccessTokenBeforeExpiry (30 s, set by the
# peer script) remain. With --access-ttl 20s that already holds on the first request after login, so
# no waiting is needed. Advancing our OP's clock cannot change the RP's decision, but it shows the
# refresh is honoured at a later OP time: the new access token is issued at the advanced clock.
grants_before="$(refresh_grants)"
clock="$(curl -sS --max-time 5 -H 'Content-Type: application/json' -d '{"advance":"PT25S"}' "$ISSUER/_hourglass/clock")"
op_now="$(jq -r '.now' <<<"$clock")"
status="$(curl -sS --max-time 10 -b "$JAR" -c "$JAR" -o /dev/null -w '%{http_code}' "$RP/")"
info2="$(info)"
exp2="$(jq -r '.access_token_expires // empty' <<<"$info2" 2>/dev/null)"
at2="$(jq -r '.access_token // empty' <<<"$info2" 2>/dev/null)"
grants_after="$(refresh_grants)"
iat2="$(jwt_claims "$at2" | jq -r '.iat // empty' 2>/dev/null)"
op_epoch="$(date -u -d "$op_now" +%s 2>/dev/null || echo 0)"
if [[ "$status" == 200 && -n "$at2" && "$at2" != "$at1" && "$grants_after" =~ ^[0-9]+$ && "$grants_after" -gt "$grants_before" \
      && -n "$iat2" && "$iat2" -ge "$op_epoch" ]]; then
  pass "refreshed on its own: OP saw $((grants_after - grants_before)) refresh grant(s); new access token issued at $(date -u -d "@$iat2" +%FT%TZ) on the advanced OP clock (now $op_now)"
else
  fail "no refresh seen: GET / → $status, refresh grants $grants_before → $grants_after, token changed: $([[ "$at2" != "$at1" ]] && echo yes || echo no), iat '$iat2' vs OP now $op_now"
fi

reuse="$(op_events | jq '[.[] | select(.client_id == "gateway" and (.type == "refresh_reuse_detected" or .type == "family_revoked"))] | length')"
if [[ "$reuse" == 0 ]]; then
  pass "no refresh-token reuse detected for mod_auth_openidc's session"
else
  fail "the OP detected refresh-token reuse ($reuse events) for client gateway"
fi

# ---- 4. RP-initiated logout through mod_auth_openidc ends the OP session ----------------------
logouts_before="$(op_events | jq '[.[] | select(.type == "logout" and .sub == "alice")] | length')"
back="$RP/public/logged-out"
out="$(curl -sS --max-time 20 -L --max-redirs 10 -b "$JAR" -c "$JAR" -o "$TMP/body" -w '%{http_code} %{url_effective}' \
  "$RP/redirect_uri?logout=$(jq -rn --arg v "$back" '$v|@uri')")"
logouts_after="$(op_events | jq '[.[] | select(.type == "logout" and .sub == "alice")] | length')"
status="$(curl -sS --max-time 10 -b "$JAR" -o /dev/null -w '%{http_code}' "$RP/")"
if [[ "${out#* }" == "$back"* && "$logouts_after" -gt "$logouts_before" && "$status" == 302 ]]; then
  pass "RP-initiated logout: OP session ended (logout event), back at $back, / redirects to login again"
else
  fail "logout: ended at '$out' (want $back), OP logout events $logouts_before → $logouts_after, GET / → $status (want 302)"
fi

exit $(( failures > 0 ))
