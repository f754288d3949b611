// Reads the JSON that run.js prints and prints the "2. Per-request overhead" section of
// BENCHMARKS.md.
//
// Usage: node bench/overhead/report.js RESULTS.json COMMAND
//   COMMAND  the run.js command line that produced RESULTS.json, quoted in the section

import { readFileSync } from "node:fs";
import os from "node:os";

// Goals: renew-fetch's time per request as a multiple of raw fetch (at most) and of axios
// (below).
const GOAL_FETCH = 1.05;
const GOAL_AXIOS = 1;

const [file, command] = process.argv.slice(2);
const { settings, browser, results } = JSON.parse(readFileSync(file, "utf8"));
const axiosVersion = JSON.parse(
  readFileSync(new URL("./node_modules/axios/package.json", import.meta.url), "utf8"),
).version;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

// Resamples drawn for each interval, and the seed of their generator, so that one results file
// always gives the same interval.
const RESAMPLES = 2000;
const SEED = 0x5eed;

// Returns a generator of uniform numbers in [0, 1), mulberry32, which is enough to pick rounds.
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Returns the 95% bootstrap interval of the ratio of total times. Each resample draws rounds
// with replacement and keeps both implementations' times of a drawn round together, because
// they ran back to back.
function interval(a, b) {
  const next = random(SEED);
  const count = a.length;
  const samples = [];
  for (let i = 0; i < RESAMPLES; i += 1) {
    let sumA = 0;
    let sumB = 0;
    for (let j = 0; j < count; j += 1) {
      const round = Math.floor(next() * count);
      sumA += a[round];
      sumB += b[round];
    }
    samples.push(sumA / sumB);
  }
  samples.sort((x, y) => x - y);
  return [samples[Math.floor(RESAMPLES * 0.025)], samples[Math.ceil(RESAMPLES * 0.975) - 1]];
}

// The ratio of two implementations' times per request over the whole mode, its 95% interval
// over the rounds, and the median of the per-round ratios.
function ratios(mode, name, base) {
  const a = results[mode][name];
  const b = results[mode][base];
  return {
    total: a.ms / a.requests / (b.ms / b.requests),
    interval: interval(a.rounds, b.rounds),
    median: median(a.rounds.map((ms, round) => ms / b.rounds[round])),
  };
}

const micros = (entry) => ((entry.ms / entry.requests) * 1000).toFixed(0);
const fixed = (ratio) =>
  `${ratio.total.toFixed(2)}× (${ratio.interval.map((end) => end.toFixed(2)).join("–")}, ` +
  `median ${ratio.median.toFixed(2)}×)`;
// The verdict on the ratio over the whole mode. When the goal lies inside the interval, the
// verdict notes it, because another run may then give the other verdict.
const verdict = (ratio, goal, strict) => {
  const meets = (value) => (strict ? value < goal : value <= goal);
  const result = meets(ratio.total) ? "met" : "missed";
  const [low, high] = ratio.interval;
  return meets(low) === meets(high) ? result : `${result}, goal inside the interval`;
};

const names = {
  fetch: "raw `fetch`, Bearer header and envelope check",
  axios: `axios ${axiosVersion} with equivalent interceptors`,
  "renew-fetch": "renew-fetch `client.get`",
  floor: "floor: one awaited fetch through wasm-bindgen",
};
const modes = {
  sequence: `${settings.total} in sequence`,
  batches: `${settings.total} in batches of ${settings.batchSize}`,
};

const cpu = os.cpus()[0]?.model ?? "unknown CPU";
// One sentence a line: markdown joins them into one paragraph.
const lines = [
  "## 2. Per-request overhead",
  "",
  `Command: \`bash scripts/bench-client.sh\`, which runs \`${command}\`.`,
  `Headless Chromium ${browser} (Debian's /usr/bin/chromium, driven by playwright-core) opens one page from the demo server on 127.0.0.1, built with \`cargo build --release --features demo\`.`,
  "Every request is a GET of `/scenario/ok?n=N`, whose response is a JSON envelope of under 200 bytes, and N differs for each request.",
  `Each implementation sends ${settings.total} requests in sequence and ${settings.total} in batches of ${settings.batchSize} sent together, after ${settings.warmup} uncounted requests per implementation and mode.`,
  `The four take turns in rounds: in sequence a round is ${settings.chunk === 1 ? "one request" : `${settings.chunk} requests`} each, in batches it is one batch each.`,
  "Each round runs the four in a new random order, so drift on the machine, and what one leaves for the next to pay, such as garbage to collect, weigh on all four alike.",
  "The axios instance has a request interceptor that sets `Authorization: Bearer <token>` and aborts a pending duplicate through a map of AbortControllers.",
  "Its response interceptor frees the map entry, reads a renewed token from the response header and checks the envelope.",
  "The floor is `bench/size/floor`: a Rust method that awaits one fetch with the Bearer header through wasm-bindgen-futures, with no logic of its own.",
  `Machine: ${cpu}, ${os.cpus().length} cores, node ${process.version}, shared with other work, so absolute times drift from run to run.`,
  "The ratio is renew-fetch's time per request over the other's for the whole mode, which the goal uses.",
  "In brackets are its 95% bootstrap interval over the rounds, which leaves out the drift between runs, and the median of the per-round ratios.",
  "The last column gives the floor's time over raw fetch's.",
  "",
  "| mode | implementation | µs per request | renew-fetch / this | goal | result | floor / this |",
  "|---|---|---:|---|---|---|---|",
];
for (const [mode, label] of Object.entries(modes)) {
  const toFetch = ratios(mode, "renew-fetch", "fetch");
  const toAxios = ratios(mode, "renew-fetch", "axios");
  const toFloor = ratios(mode, "renew-fetch", "floor");
  const floorToFetch = ratios(mode, "floor", "fetch");
  lines.push(
    `| ${label} | ${names.fetch} | ${micros(results[mode].fetch)} | ${fixed(toFetch)} |` +
      ` ≤ ${GOAL_FETCH}× | ${verdict(toFetch, GOAL_FETCH, false)} | ${fixed(floorToFetch)} |`,
    `| | ${names.axios} | ${micros(results[mode].axios)} | ${fixed(toAxios)} |` +
      ` < ${GOAL_AXIOS}× | ${verdict(toAxios, GOAL_AXIOS, true)} | |`,
    `| | ${names.floor} | ${micros(results[mode].floor)} | ${fixed(toFloor)} | | | |`,
    `| | ${names["renew-fetch"]} | ${micros(results[mode]["renew-fetch"])} | | | | |`,
  );
}
process.stdout.write(`${lines.join("\n")}\n`);
