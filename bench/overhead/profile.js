// Profiles one implementation of the overhead benchmark with the Chrome DevTools CPU profiler.
// It prints the main-thread time per call outside idle time and Chromium's native `fetch`, and
// the functions with the most self time, each with its total time, callees included.
// scripts/bench-client.sh --profile builds the .wasm with its function names, so the Rust
// functions appear by name.
//
// Usage: node bench/overhead/profile.js URL fetch|axios|renew-fetch|floor [CALLS]
//   URL    the demo server's origin, started as scripts/bench-client.sh starts it, with the
//          floor's web build in floor/ of the --pkg folder
//   CALLS  the GETs sent in sequence while the profiler runs, 400 unless given

import { chromium } from "playwright-core";

import { CHROMIUM_ARGS } from "./chromium.js";

const [origin, name, callsArgument = "400"] = process.argv.slice(2);
const calls = Number(callsArgument);
if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(origin ?? "") || !name || !Number.isInteger(calls) || calls < 1) {
  console.error("usage: node bench/overhead/profile.js URL fetch|axios|renew-fetch|floor [CALLS]");
  process.exit(2);
}

// Nodes that are not the page's own work: the idle loop, the browser's bookkeeping, and the
// native fetch, which every implementation calls once a request.
const EXCLUDED = new Set(["(idle)", "(program)", "fetch (native)"]);

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${origin}/index.html`);
    await page.waitForFunction(() => window.overheadReady === true);
    await page.evaluate((name) => window.sendInSequence(name, 200), name);

    const session = await page.context().newCDPSession(page);
    await session.send("Profiler.enable");
    await session.send("Profiler.setSamplingInterval", { interval: 50 });
    await session.send("Profiler.start");
    const wallMs = await page.evaluate(async ([name, calls]) => {
      const start = performance.now();
      await window.sendInSequence(name, calls);
      return performance.now() - start;
    }, [name, calls]);
    const { profile } = await session.send("Profiler.stop");

    // Self time per function: each sample counts the time delta before it for its node. Total
    // time counts it for the node and each of its callers, once per function.
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    const callers = new Map();
    for (const node of profile.nodes) {
      for (const child of node.children ?? []) callers.set(child, node.id);
    }
    const labelOf = (id) => {
      const { functionName, url, lineNumber } = nodes.get(id).callFrame;
      const file = url ? `${url.split("/").pop()}:${lineNumber + 1}` : "native";
      return functionName.startsWith("(") ? functionName : `${functionName || "(anonymous)"} (${file})`;
    };
    const selfMicros = new Map();
    const totalMicros = new Map();
    profile.samples.forEach((id, index) => {
      const delta = profile.timeDeltas[index] ?? 0;
      const label = labelOf(id);
      selfMicros.set(label, (selfMicros.get(label) ?? 0) + delta);
      const seen = new Set();
      for (let node = id; node !== undefined; node = callers.get(node)) {
        const caller = labelOf(node);
        if (seen.has(caller)) continue;
        seen.add(caller);
        totalMicros.set(caller, (totalMicros.get(caller) ?? 0) + delta);
      }
    });
    const rows = [...selfMicros].sort((a, b) => b[1] - a[1]);
    const pageMicros = rows
      .filter(([label]) => !EXCLUDED.has(label))
      .reduce((sum, [, micros]) => sum + micros, 0);

    console.log(`${name}: ${calls} calls in ${wallMs.toFixed(0)} ms`);
    console.log(`main-thread time outside ${[...EXCLUDED].join(", ")}: ${(pageMicros / calls).toFixed(0)} µs a call`);
    console.log("    self     total  function, by self time");
    for (const [label, micros] of rows.slice(0, 25)) {
      const total = totalMicros.get(label) ?? micros;
      console.log(`${(micros / 1000).toFixed(1).padStart(8)}  ${(total / 1000).toFixed(1).padStart(8)}  ms  ${label}`);
    }
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(`profile: ${error.message}`);
  process.exit(1);
});
