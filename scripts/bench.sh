#!/usr/bin/env bash
# Runs every benchmark in one run and prints each figure, the ratios and a markdown block to paste
# into BENCHMARKS.md, which it also writes to $CARGO_TARGET_DIR/bench-report.md (default target/),
# or to bench-report-SECTIONS.md for a run of some sections. Each comparison is measured in this one run, because the machine is shared
# and absolute figures drift between runs.
#
#   1. Size, 2. Per-request overhead   scripts/bench-client.sh
#   3. Server cost                     criterion: the layer's pass and renew paths, with the token
#                                      cache off and on, against a bare jsonwebtoken decode, and
#                                      the same comparison with the routines taking turns
#   4. Throughput                      wrk on loopback: the route behind the layer, the same route
#                                      without it, and an express server checking the same token
#
# scripts/bench-client.sh runs sections 1 and 2 and prints their markdown on stdout. Its stderr
# passes through.
#
#   bash scripts/bench.sh                 every section
#   bash scripts/bench.sh throughput      only the named sections: client, server-cost, throughput
#
# It takes a few minutes, most of it the first build. The test command does not run it. Every
# server it starts binds to 127.0.0.1 and is stopped on exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

target_dir=${CARGO_TARGET_DIR:-$root/target}
export CRITERION_HOME="$target_dir/criterion"
# Sections 3 and 4 build with the bench profile, which cargo puts in the same release/ folder as
# the demo server's release build of section 2. A folder of their own keeps each build from
# recompiling the crate over the other's.
server_target_dir="$target_dir/server-bench"

# wrk settings of every throughput run. Warm-up runs are not reported. Each axum route gets
# wrk_seconds in total, as wrk_rounds rounds of one run of each route, the open route first in
# every other round, so a change of load on the shared machine weighs on both routes alike.
wrk_threads=2
wrk_connections=32
wrk_seconds=12
wrk_rounds=12
wrk_warmup_seconds=2

# Runs of the paired server-cost benchmark, so that the report shows the spread between runs.
paired_runs=3

# Goals: the layer's cost as a multiple of the bare decode (at most), and the protected route's
# request rate as a multiple of the open route and of express (at least).
goal_pass=1.3
goal_renew=3
goal_open=0.9
goal_express=3

# The start of the run and the machine's load then, for the report.
started_at=$(date -u '+%Y-%m-%d %H:%M')
load_at_start=$(cut -d ' ' -f 1 /proc/loadavg 2>/dev/null || echo unknown)

step() { printf '\n== %s\n' "$*" >&2; }
fail() {
  printf 'bench: %s\n' "$*" >&2
  exit 1
}

work=$(mktemp -d)
server_pids=()
cleanup() {
  for pid in "${server_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# Installs wrk from Debian when it is missing and this runs as root, else stops with the command.
require_tools() {
  for tool in cargo node npm; do
    command -v "$tool" >/dev/null || fail "$tool is missing; install it and run again"
  done
  if ! command -v wrk >/dev/null; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
      step "installing wrk"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk
    else
      fail "wrk is missing; run as root: apt-get update && apt-get install -y wrk"
    fi
  fi
}

# Prints the machine facts that go next to the figures.
describe_machine() {
  local cpu memory
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  memory=$(free -h | awk '/^Mem:/ { print $2 }')
  echo "- Date: $started_at to $(date -u '+%H:%M UTC'), commit $(git rev-parse --short HEAD)$(
    git diff --quiet HEAD -- src benches bench scripts Cargo.toml Cargo.lock || echo ' with local changes'
  )"
  echo "- 1-minute load average at the start: $load_at_start"
  echo "- CPU: ${cpu:-unknown}, $(nproc) cores, shared with other work on the machine"
  echo "- Memory: $memory"
  echo "- $(rustc --version), node $(node --version), $(wrk -v 2>&1 | awk 'NR == 1 { print $1, $2 }')"
}

# Runs scripts/bench-client.sh and keeps its markdown for the report.
run_client_sections() {
  step "1. Size and 2. Per-request overhead: scripts/bench-client.sh"
  bash scripts/bench-client.sh >"$work/client.md"
  cat "$work/client.md" >&2
}

# Prints the median of one criterion benchmark in nanoseconds.
criterion_median() {
  local file="$CRITERION_HOME/server_cost/$1/new/estimates.json"
  [[ -f $file ]] || fail "criterion wrote no estimates for $1 at $file"
  node -e 'const e = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(e.median.point_estimate)' "$file"
}

# Prints `a / b` with two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# Prints "met" or "missed" for a ratio against a goal. The operator is <= or >=.
verdict() {
  awk -v r="$1" -v op="$2" -v g="$3" \
    'BEGIN { ok = (op == "<=") ? (r <= g) : (r >= g); print ok ? "met" : "missed" }'
}

# Prints nanoseconds as microseconds with two decimals.
micros() { awk -v ns="$1" 'BEGIN { printf "%.2f µs", ns / 1000 }'; }

# Prints the value of one line of the first paired run's output: the words after NAME.
paired_value() {
  awk -v name="$1" '$1 == name { $1 = ""; sub(/^ /, ""); print; found = 1 } END { exit !found }' \
    "$work/paired-1.txt" || fail "the paired benchmark printed no $1 line"
}

# Prints "met" or "missed" for a ratio line "MEDIAN LOW HIGH ..." against a goal, with a note
# when the span from LOW to HIGH contains the goal. The operator is <= or >=, and SPAN names the
# span in the note, "interval" by default.
interval_verdict() {
  local median low high
  read -r median low high _ <<<"$1"
  awk -v m="$median" -v l="$low" -v h="$high" -v op="$2" -v g="$3" -v span="${4:-interval}" 'BEGIN {
    v = ((op == "<=") ? (m <= g) : (m >= g)) ? "met" : "missed"
    if (l <= g && g <= h) v = v ", goal inside the " span
    print v
  }'
}

# Prints the median, the lowest and the highest over the runs of the paired benchmark of the
# median ratio that its NAME_ratio line gives, as "1.27 1.24 1.28".
paired_summary() {
  local file
  for file in "$work"/paired-*.txt; do
    awk -v name="$1_ratio" '$1 == name { print $2 }' "$file"
  done | sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) exit 1
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    print m, v[1], v[NR]
  }' || fail "the paired benchmark printed no $1_ratio line"
}

# Prints a summary line "MEDIAN LOWEST HIGHEST" as "1.27× (runs 1.24–1.28)".
paired_ratio() {
  local median low high
  read -r median low high _ <<<"$1"
  awk -v m="$median" -v l="$low" -v h="$high" 'BEGIN { printf "%.2f× (runs %.2f–%.2f)", m, l, h }'
}

run_server_cost() {
  step "3. Server cost: cargo bench --features server --bench layer"
  rm -rf "$CRITERION_HOME/server_cost"
  CARGO_TARGET_DIR="$server_target_dir" cargo bench --features server --bench layer -- --noplot >&2
  local run
  for run in $(seq "$paired_runs"); do
    step "3. Server cost: cargo bench --features server --bench layer_paired, run $run of $paired_runs"
    CARGO_TARGET_DIR="$server_target_dir" cargo bench --features server --bench layer_paired \
      >"$work/paired-$run.txt"
    sed "s/^/  [paired $run] /" "$work/paired-$run.txt" >&2
  done

  # The decode runs before and after the layer's benchmarks, and criterion's ratios divide by the
  # mean of its two medians. The goals use the paired benchmark's ratios, whose routines take
  # turns, so drift on the machine weighs on both sides of each ratio alike.
  local decode_before decode_after decode pass renew
  decode_before=$(criterion_median jsonwebtoken_decode)
  decode_after=$(criterion_median jsonwebtoken_decode_again)
  decode=$(awk -v a="$decode_before" -v b="$decode_after" 'BEGIN { print (a + b) / 2 }')
  pass=$(criterion_median layer_pass)
  renew=$(criterion_median layer_renew)
  local pass_miss pass_hit renew_hit
  pass_miss=$(criterion_median layer_pass_cache_miss)
  pass_hit=$(criterion_median layer_pass_cache_hit)
  renew_hit=$(criterion_median layer_renew_cache_hit)
  local paired_pass paired_renew rounds
  paired_pass=$(paired_summary pass)
  paired_renew=$(paired_summary renew)
  rounds=$(cat "$work"/paired-*.txt | awk '$1 == "pass_ratio" { printf "%s%s", sep, $5; sep = ", " }')
  {
    echo "## 3. Server cost"
    echo
    echo "Commands: \`cargo bench --features server --bench layer -- --noplot\` (criterion 0.8,"
    echo "1 s warm-up and 3 s of samples per benchmark; figures are criterion's median estimate),"
    echo "then \`cargo bench --features server --bench layer_paired\`."
    echo "Criterion measures each benchmark on its own, with the bare decode first and again last,"
    echo "and its ratios divide by the mean of both decode figures. The paired benchmark times the"
    echo "decode, the pass path and the renew path in turns, a batch of $(paired_value batch) calls each per round,"
    echo "in each of the six orders in turn, and takes the median of the per-round ratios. It runs"
    echo "$paired_runs times, for $rounds rounds. The paired column gives the median of the $paired_runs runs' medians"
    echo "and the lowest and highest of them, and the goals use it. Within one run the 95% bootstrap"
    echo "interval of the median is about 0.01 wide, narrower than the spread between runs."
    echo
    echo "| benchmark | criterion median | criterion ratio to decode | paired ratio to decode | goal | result |"
    echo "|---|---|---|---|---|---|"
    echo "| bare \`jsonwebtoken::decode\`, HS256, first and last run |" \
      "$(micros "$decode_before"), $(micros "$decode_after") | 1.00× | 1.00× ($(micros "$(paired_value decode_ns)")) | | |"
    echo "| layer, pass path, cache off (cold: decodes every request) | $(micros "$pass") |" \
      "$(ratio "$pass" "$decode")× | $(paired_ratio "$paired_pass") | ≤ ${goal_pass}× |" \
      "$(interval_verdict "$paired_pass" "<=" "$goal_pass" "range of runs") |"
    echo "| layer, pass path, token not in the cache (cold: decode and insert) |" \
      "$(micros "$pass_miss") | $(ratio "$pass_miss" "$decode")× | | | |"
    echo "| layer, pass path, token in the cache (warm) | $(micros "$pass_hit") |" \
      "$(ratio "$pass_hit" "$decode")× | | | |"
    echo "| layer, renew path, cache off (cold) | $(micros "$renew") | $(ratio "$renew" "$decode")× |" \
      "$(paired_ratio "$paired_renew") | ≤ ${goal_renew}× |" \
      "$(interval_verdict "$paired_renew" "<=" "$goal_renew" "range of runs") |"
    echo "| layer, renew path, token in the cache (warm) | $(micros "$renew_hit") |" \
      "$(ratio "$renew_hit" "$decode")× | | | |"
  } >"$work/server-cost.md"
  cat "$work/server-cost.md" >&2
}

# Waits for a server's `listening on ADDR` line and prints ADDR.
wait_for_address() {
  local log=$1 pid=$2 address
  for _ in $(seq 100); do
    # The server's shell may not have created the log yet.
    address=$(sed -n 's/^listening on //p' "$log" 2>/dev/null || true)
    if [[ -n $address ]]; then
      echo "$address"
      return
    fi
    kill -0 "$pid" 2>/dev/null || fail "a benchmark server exited at start: $(cat "$log")"
    sleep 0.1
  done
  fail "a benchmark server did not start listening within 10 s: $(cat "$log")"
}

# Prints the CPU time that process PID has used, user and system, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# Runs wrk against a URL of the server with process id PID for the given seconds, checks that
# every response was a 2xx, and appends "REQUESTS SECONDS SERVER_CPU_TICKS" to $work/NAME.runs.
measure() {
  local name=$1 url=$2 seconds=$3 pid=$4 out before after
  out="$work/wrk-$name-$(date +%s%N).txt"
  before=$(cpu_ticks "$pid")
  wrk -t"$wrk_threads" -c"$wrk_connections" -d"${seconds}s" \
    -s bench/throughput/bearer.lua "$url" >"$out"
  after=$(cpu_ticks "$pid")
  sed "s/^/  [$name] /" "$out" >&2
  if grep -q 'Non-2xx or 3xx responses' "$out"; then
    fail "$name answered some requests with an error status, so its rate is not comparable"
  fi
  if grep -q 'Socket errors' "$out"; then
    fail "wrk reported socket errors against $name, so its rate is not comparable"
  fi
  grep -q ' requests in ' "$out" || fail "wrk printed no request count for $name: $(cat "$out")"
  # wrk prints, for example, "493157 requests in 8.06s, 70.55MB read".
  awk -v ticks=$((after - before)) '/ requests in / { sub(/s,$/, "", $4); print $1, $4, ticks }' \
    "$out" >>"$work/$name.runs"
}

# Runs wrk for the warm-up time and discards the figures.
warm_up() {
  wrk -t"$wrk_threads" -c"$wrk_connections" -d"${wrk_warmup_seconds}s" \
    -s bench/throughput/bearer.lua "$1" >/dev/null
}

# Prints the requests/s over every run of NAME: all requests over all seconds.
rate() {
  awk '{ requests += $1; seconds += $2 } END { printf "%.0f", requests / seconds }' \
    "$work/$1.runs"
}

# Prints the server's CPU time per request over every run of NAME, in microseconds.
cpu_per_request() {
  awk -v hz="$(getconf CLK_TCK)" '{ requests += $1; ticks += $3 }
    END { printf "%.2f", ticks / hz * 1e6 / requests }' "$work/$1.runs"
}

# Prints the median over the rounds of the request rate of run NAME over that of run OTHER, and
# the low and high ends of its 95% bootstrap interval, unrounded, as "1.0213 0.9702 1.0519". Line
# k of each .runs file is round k.
round_ratio() {
  node -e '
    const fs = require("fs");
    const rates = (file) => fs.readFileSync(file, "utf8").trim().split("\n")
      .map((line) => { const [requests, seconds] = line.split(" ").map(Number); return requests / seconds; });
    const a = rates(process.argv[1]), b = rates(process.argv[2]);
    const ratios = a.map((rate, k) => rate / b[k]);
    const median = (xs) => {
      const s = [...xs].sort((x, y) => x - y), m = s.length >> 1;
      return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
    };
    // A fixed seed keeps the interval the same for the same runs.
    let seed = 0x2545f491;
    const draw = (n) => {
      seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const medians = Array.from({ length: 2000 }, () =>
      median(ratios.map(() => ratios[draw(ratios.length)]))).sort((x, y) => x - y);
    const at = (q) => medians[Math.round((medians.length - 1) * q)];
    console.log(`${median(ratios).toFixed(4)} ${at(0.025).toFixed(4)} ${at(0.975).toFixed(4)}`);
  ' "$work/$1.runs" "$work/$2.runs"
}

run_throughput() {
  step "4. Throughput: building the server and installing express"
  CARGO_TARGET_DIR="$server_target_dir" cargo build --profile bench --features server \
    --example bench_server >&2
  (cd bench/throughput && npm ci --no-audit --no-fund --loglevel=error >&2)

  # One random secret for both servers, so the one token is valid on both.
  RENEW_FETCH_BENCH_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  export RENEW_FETCH_BENCH_SECRET
  "$server_target_dir/release/examples/bench_server" --addr 127.0.0.1:0 \
    --token-file "$work/token" >"$work/rust.log" 2>&1 &
  local rust_pid=$!
  server_pids+=("$rust_pid")
  NODE_ENV=production node bench/throughput/express-server.js --addr 127.0.0.1:0 \
    >"$work/express.log" 2>&1 &
  local express_pid=$!
  server_pids+=("$express_pid")
  local rust_addr express_addr
  rust_addr=$(wait_for_address "$work/rust.log" "$rust_pid")
  express_addr=$(wait_for_address "$work/express.log" "$express_pid")
  RENEW_FETCH_BENCH_TOKEN=$(cat "$work/token")
  export RENEW_FETCH_BENCH_TOKEN

  step "4. Throughput: wrk -t$wrk_threads -c$wrk_connections, ${wrk_seconds} s a server"
  local run_seconds=$((wrk_seconds / wrk_rounds)) order
  warm_up "http://$rust_addr/protected"
  for round in $(seq "$wrk_rounds"); do
    order="open protected"
    ((round % 2 == 0)) && order="protected open"
    for route in $order; do
      measure "$route" "http://$rust_addr/$route" "$run_seconds" "$rust_pid"
    done
  done
  warm_up "http://$express_addr/protected"
  measure express "http://$express_addr/protected" "$wrk_seconds" "$express_pid"
  warm_up "http://$express_addr/protected-string-secret"
  measure express-string-secret "http://$express_addr/protected-string-secret" \
    "$wrk_seconds" "$express_pid"

  local open protected express express_string
  open=$(rate open)
  protected=$(rate protected)
  express=$(rate express)
  express_string=$(rate express-string-secret)
  local open_cpu protected_cpu express_cpu express_string_cpu cpu_ratio
  open_cpu=$(cpu_per_request open)
  protected_cpu=$(cpu_per_request protected)
  express_cpu=$(cpu_per_request express)
  express_string_cpu=$(cpu_per_request express-string-secret)
  cpu_ratio=$(ratio "$open_cpu" "$protected_cpu")
  local open_ratio open_rounds express_ratio express_string_ratio versions
  open_ratio=$(ratio "$protected" "$open")
  open_rounds=$(round_ratio protected open)
  express_ratio=$(ratio "$protected" "$express")
  express_string_ratio=$(ratio "$protected" "$express_string")
  versions=$(cd bench/throughput && node -p 'const v = (name) => require(`${name}/package.json`).version;
    `express ${v("express")} + jsonwebtoken ${v("jsonwebtoken")}`')
  {
    echo "## 4. Throughput"
    echo
    echo "Command: \`wrk -t$wrk_threads -c$wrk_connections -dSECONDS -s bench/throughput/bearer.lua URL\`,"
    echo "every request with the same valid HS256 token, $wrk_seconds s per route after a"
    echo "$wrk_warmup_seconds s warm-up. The axum routes run in $wrk_rounds rounds of one $run_seconds s run"
    echo "each, the open route first in every other round. Each rate is all its requests over all its"
    echo "seconds. The goal against the open route uses the median over the rounds of the ratio of the"
    echo "two runs of a round, given with its 95% bootstrap interval, because a change of load between"
    echo "rounds then weighs on both sides of each ratio."
    echo "wrk and the server share the machine's $(nproc) cores, so the rates are lower than on a"
    echo "machine where the load generator runs elsewhere, and they move with the other load on the"
    echo "machine. The server CPU column is the server process's user and system time over the"
    echo "requests it served (from /proc/PID/stat), which depends less on how wrk and the server"
    echo "share the cores."
    echo
    echo "| server | requests/s | protected / this | median over the rounds | goal | result | server CPU per request |"
    echo "|---|---|---|---|---|---|---|"
    echo "| axum, \`/protected\` behind the layer | $protected | | | | | ${protected_cpu} µs |"
    echo "| axum, \`/open\`, same handler without the layer | $open | ${open_ratio}× |" \
      "$(awk '{ printf "%.2f× (%.2f–%.2f)", $1, $2, $3 }' <<<"$open_rounds") |" \
      "≥ ${goal_open}× | $(interval_verdict "$open_rounds" ">=" "$goal_open") |" \
      "${open_cpu} µs (open / protected ${cpu_ratio}×) |"
    echo "| $versions, one node process, key made once | $express |" \
      "${express_ratio}× | | ≥ ${goal_express}× | $(verdict "$express_ratio" ">=" "$goal_express") |" \
      "${express_cpu} µs |"
    echo "| the same, secret passed as a string to every \`jwt.verify\` | $express_string |" \
      "${express_string_ratio}× | | | | ${express_string_cpu} µs |"
  } >"$work/throughput.md"
  cat "$work/throughput.md" >&2
}

sections=("$@")
if [[ ${#sections[@]} -eq 0 ]]; then
  sections=(client server-cost throughput)
  report="$target_dir/bench-report.md"
else
  # A run of some sections keeps the report of the last full run.
  report="$target_dir/bench-report-$(IFS=-; echo "${sections[*]}").md"
fi
require_tools
for section in "${sections[@]}"; do
  case $section in
    client) run_client_sections ;;
    server-cost) run_server_cost ;;
    throughput) run_throughput ;;
    *) fail "unknown section $section; use client, server-cost or throughput" ;;
  esac
done

{
  echo "## Machine"
  echo
  describe_machine
  for part in client server-cost throughput; do
    if [[ -f $work/$part.md ]]; then
      echo
      cat "$work/$part.md"
    fi
  done
} >"$report"
step "markdown for BENCHMARKS.md, also written to $report"
cat "$report"
