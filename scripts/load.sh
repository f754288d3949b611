#!/usr/bin/env bash
# Runs a bounded wrk load test on loopback against the release demo server, with a mix of valid,
# near-expiry, expired-in-grace and garbage tokens. It prints the requests, the 5xx count, the
# renewals and the server's resident memory before and after, and fails on any 5xx, on any
# socket error, or when the server dies.
#
# Usage: scripts/load.sh [SECONDS] [THREADS] [CONNECTIONS]   (defaults 10, 2, 20; SECONDS <= 120)
#
# The tokens are minted through the demo's own login: the demo runs with --scenarios, so its clock
# moves forward with POST /test/clock/advance. With a 10 minute lifetime, a 5 minute window, a 5
# minute grace period and a 1 hour cap:
#   log in (token C), advance 180 s, log in (token B), advance 450 s, log in (token A).
# Then A has 600 s left (outside the window), B has 150 s left (inside the window, so every
# request renews it) and C expired 30 s ago (inside the grace period, so every request gets the
# overdue response and a renewed token). All three stay in their class for the whole run, because
# the run is at most 120 s. The tokens live in a mode-600 temporary file and are never printed.
set -euo pipefail
seconds=${1:-10}
threads=${2:-2}
connections=${3:-20}
for value in "$seconds" "$threads" "$connections"; do
  if ! [[ $value =~ ^[0-9]+$ ]] || ((value < 1)); then
    echo "load.sh: SECONDS, THREADS and CONNECTIONS must be whole numbers of 1 or more" >&2
    exit 2
  fi
done
if ((seconds > 120)); then
  echo "load.sh: SECONDS is $seconds, but the minted tokens keep their class for 120 s at most" >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
for tool in wrk curl python3; do
  if ! command -v "$tool" >/dev/null; then
    echo "load.sh: $tool is missing; install it with: apt-get install -y $tool" >&2
    exit 2
  fi
done

work=$(mktemp -d)
umask 077
demo_pid=
cleanup() {
  if [[ -n $demo_pid ]]; then
    kill "$demo_pid" 2>/dev/null || true
    wait "$demo_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== building the release demo server"
cargo build --release --features demo --bin renew-fetch-demo >"$work/build.log" 2>&1 || {
  cat "$work/build.log" >&2
  echo "load.sh: building the demo server failed" >&2
  exit 1
}
demo="${CARGO_TARGET_DIR:-$root/target}/release/renew-fetch-demo"

echo "== starting the demo server on a free 127.0.0.1 port"
# Port 0 makes the kernel pick a free port, and the demo prints the URL it listens on. Rejections
# log at warn, one line each, into the temporary folder.
RUST_LOG=warn "$demo" --addr 127.0.0.1:0 --scenarios \
  --token-lifetime 10m --renew-window 5m --grace-period 5m --session-cap 1h \
  >"$work/demo.out" 2>"$work/demo.err" &
demo_pid=$!
base=
for _ in $(seq 100); do
  base=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/demo.out" || true)
  [[ -n $base ]] && break
  if ! kill -0 "$demo_pid" 2>/dev/null; then
    cat "$work/demo.err" >&2
    echo "load.sh: the demo server exited at start-up" >&2
    exit 1
  fi
  sleep 0.1
done
if [[ -z $base ]]; then
  echo "load.sh: the demo server printed no URL within 10 s" >&2
  exit 1
fi

# Prints the token of a fresh login. The token goes to stdout for a variable, never to the log.
login() {
  curl -sf -X POST "$base/api/login" -H 'content-type: application/json' \
    -d '{"username":"alice","password":"alice-password"}' |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["data"]["token"])'
}
advance() {
  curl -sf -X POST "$base/test/clock/advance?secs=$1" >/dev/null
}

echo "== minting valid, near-expiry and expired-in-grace tokens"
in_grace=$(login)
advance 180
near_expiry=$(login)
advance 450
valid=$(login)
tokens="$work/tokens"
printf 'valid %s\nnear_expiry %s\nin_grace %s\n' "$valid" "$near_expiry" "$in_grace" >"$tokens"

# Checks that a token is in the class the mix expects: the status, the business code, and
# whether the response carries a renewed token.
check_class() {
  local name=$1 token=$2 status=$3 code=$4 renewed=$5
  curl -s -D "$work/headers" -o "$work/body" -w '%{http_code}' \
    -H "Authorization: Bearer $token" "$base/api/profile" >"$work/status"
  local got_status got_code got_renewed=no
  got_status=$(cat "$work/status")
  got_code=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["code"])' "$work/body")
  grep -qi '^authorization:' "$work/headers" && got_renewed=yes
  if [[ $got_status != "$status" || $got_code != "$code" || $got_renewed != "$renewed" ]]; then
    echo "load.sh: the $name token got status $got_status, code $got_code, renewed $got_renewed;" \
      "expected $status, $code, $renewed" >&2
    exit 1
  fi
}
check_class valid "$valid" 200 200 no
check_class near-expiry "$near_expiry" 200 200 yes
check_class expired-in-grace "$in_grace" 401 401 yes

rss_kb() {
  awk '/^VmRSS:/ {print $2}' "/proc/$demo_pid/status"
}
rss_before=$(rss_kb)

cat >"$work/mix.lua" <<'LUA'
-- Cycles through the token classes, one request each, and counts the responses per thread.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local tokens = {}
  for line in io.lines(args[1]) do
    local name, token = line:match("^(%S+) (%S+)$")
    tokens[name] = token
  end
  -- A copy of the valid token whose last signature character is changed.
  local last = tokens.valid:sub(-1)
  local tampered = tokens.valid:sub(1, -2) .. (last == "A" and "B" or "A")
  local path = "/api/profile"
  local function with(value)
    return wrk.format("GET", path, { ["Authorization"] = value })
  end
  requests = {
    with("Bearer " .. tokens.valid),
    with("Bearer " .. tokens.near_expiry),
    with("Bearer " .. tokens.in_grace),
    with("Bearer " .. tokens.valid),
    with("Bearer " .. tampered),
    with("Bearer not.a.jwt"),
    with("Basic YWxpY2U6YWxpY2UtcGFzc3dvcmQ="),
    with("Bearer " .. tokens.valid .. ", Bearer " .. tokens.valid),
    with("Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."),
    wrk.format("GET", path),
  }
  next_request = 0
  counts = { s2xx = 0, s400 = 0, s401 = 0, s4xx = 0, s5xx = 0, other = 0, renewed = 0 }
end

function request()
  next_request = next_request % #requests + 1
  return requests[next_request]
end

function response(status, headers, body)
  if status >= 500 then
    counts.s5xx = counts.s5xx + 1
  elseif status == 400 then
    counts.s400 = counts.s400 + 1
  elseif status == 401 then
    counts.s401 = counts.s401 + 1
  elseif status >= 400 then
    counts.s4xx = counts.s4xx + 1
  elseif status >= 200 and status < 300 then
    counts.s2xx = counts.s2xx + 1
  else
    counts.other = counts.other + 1
  end
  if headers["authorization"] or headers["Authorization"] then
    counts.renewed = counts.renewed + 1
  end
end

function done(summary, latency, requests)
  local total = { s2xx = 0, s400 = 0, s401 = 0, s4xx = 0, s5xx = 0, other = 0, renewed = 0 }
  for _, thread in ipairs(threads) do
    local counted = thread:get("counts")
    for name, value in pairs(counted) do
      total[name] = total[name] + value
    end
  end
  local errors = summary.errors
  io.write(string.format("load requests: %d\n", summary.requests))
  io.write(string.format("load 2xx: %d\n", total.s2xx))
  io.write(string.format("load 400: %d\n", total.s400))
  io.write(string.format("load 401: %d\n", total.s401))
  io.write(string.format("load other 4xx: %d\n", total.s4xx))
  io.write(string.format("load 5xx: %d\n", total.s5xx))
  io.write(string.format("load other statuses: %d\n", total.other))
  io.write(string.format("load renewals: %d\n", total.renewed))
  io.write(string.format("load socket errors: %d\n",
    errors.connect + errors.read + errors.write + errors.timeout))
  io.write(string.format("load p99 latency ms: %.2f\n", latency:percentile(99) / 1000))
end
LUA

echo "== wrk: $threads threads, $connections connections, ${seconds}s on $base/api/profile"
wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 5s -s "$work/mix.lua" \
  "$base/api/profile" -- "$tokens" | tee "$work/wrk.out"

if ! kill -0 "$demo_pid" 2>/dev/null; then
  echo "load.sh: the demo server died under load" >&2
  exit 1
fi
rss_after=$(rss_kb)
health=$(curl -s -o /dev/null -w '%{http_code}' "$base/api/health")
figure() {
  awk -v name="$1" 'index($0, name ": ") == 1 {print $NF}' "$work/wrk.out"
}
requests=$(figure "load requests")
five_xx=$(figure "load 5xx")
socket_errors=$(figure "load socket errors")
echo "load rss before: $rss_before kB"
echo "load rss after: $rss_after kB"
echo "load health after: $health"
if [[ -z $requests || $requests -eq 0 ]]; then
  echo "load.sh: wrk sent no requests" >&2
  exit 1
fi
if [[ $five_xx != 0 ]]; then
  echo "load.sh: $five_xx responses were 5xx; expected none" >&2
  exit 1
fi
if [[ $socket_errors != 0 ]]; then
  echo "load.sh: $socket_errors socket errors; expected none" >&2
  exit 1
fi
if [[ $health != 200 ]]; then
  echo "load.sh: /api/health returned $health after the load; expected 200" >&2
  exit 1
fi
