// Starts and stops the real demo server for a test file.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const START_TIMEOUT_MS = 30_000;

// The demo server binary. scripts/test-e2e.sh builds it and sets RENEW_FETCH_DEMO_BIN.
function demoBinary() {
  const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(repoRoot, "target");
  const binary =
    process.env.RENEW_FETCH_DEMO_BIN ?? path.join(targetDir, "release/renew-fetch-demo");
  if (!existsSync(binary)) {
    throw new Error(
      `demo server binary not found at ${binary}: run bash scripts/test-e2e.sh, or build it with ` +
        "cargo build --release --features demo --bin renew-fetch-demo and set RENEW_FETCH_DEMO_BIN",
    );
  }
  return binary;
}

// Starts the demo server on a free port of 127.0.0.1 and resolves once it prints its address.
// `args` are extra command-line flags, such as ["--scenarios", "--token-lifetime", "2m"].
export async function startDemoServer(args = []) {
  const child = spawn(demoBinary(), ["--addr", "127.0.0.1:0", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "warn" },
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });

  const baseUrl = await new Promise((resolve, reject) => {
    let stdout = "";
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`demo server printed no address within ${START_TIMEOUT_MS} ms: ${stderr}`));
    }, START_TIMEOUT_MS);
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      const match = stdout.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`demo server exited with code ${code} before listening: ${stderr}`));
    });
  });

  return {
    baseUrl,
    stop: () => stopChild(child),
    stats: () => apiData(baseUrl, "GET", "/api/stats"),
    // Moves the server's clock forward and resolves to its new time in unix seconds.
    advanceClock: async (secs) => {
      const data = await apiData(baseUrl, "POST", `/test/clock/advance?secs=${secs}`);
      return data.now;
    },
  };
}

async function stopChild(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  // SIGINT is the server's graceful shutdown, the same as Ctrl-C.
  child.kill("SIGINT");
  await exited;
}

// Sends one request to the demo API from Node and resolves to the envelope's data.
async function apiData(baseUrl, method, route) {
  const response = await fetch(`${baseUrl}${route}`, { method });
  const envelope = await response.json();
  if (envelope.code !== 200) {
    throw new Error(
      `${method} ${route} failed: HTTP ${response.status}, code ${envelope.code}, ${envelope.msg}`,
    );
  }
  return envelope.data;
}
