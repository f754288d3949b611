// The in-page half of the per-request overhead benchmark. It sends small JSON GETs to the demo
// server's /scenario/ok four ways: raw fetch, axios with the interceptors an app would add to
// match renew-fetch, renew-fetch, and the floor of bench/size/floor (a wasm-bindgen client that
// only awaits one fetch). Each round runs the four in a new random order.

import axios from "/node_modules/axios/dist/esm/axios.min.js";
import init, { HttpClient } from "/pkg/renew_fetch.js";
import initFloor, { Client as FloorClient } from "/pkg/floor/floor.js";

// A fixed placeholder, not a credential: /scenario/ok accepts any token and verifies none.
const TOKEN = "overhead.bench.placeholder";
const SUCCESS = 200;
const OVERDUE = 401;

// Every request gets its own query, so no two requests of a batch are duplicates of each other
// and no response comes from the HTTP cache.
let sequence = 0;
function nextUrl() {
  sequence += 1;
  return `/scenario/ok?n=${sequence}`;
}

function checkEnvelope(body) {
  if (body === null || typeof body !== "object" || typeof body.code !== "number") {
    throw new Error("the response is not an envelope {code, msg, data}");
  }
  if (body.code !== SUCCESS) {
    throw new Error(`the response has business code ${body.code}`);
  }
  return body;
}

// Raw fetch: the Bearer header, the JSON body and the envelope's code check, nothing else.
function rawFetchGet(url) {
  return fetch(url, { headers: { Authorization: `Bearer ${TOKEN}` } })
    .then((response) => response.json())
    .then(checkEnvelope);
}

// axios with the interceptors an app would write for the same work as renew-fetch. The request
// interceptor sets the Bearer header and aborts a pending duplicate through a map of
// AbortControllers. The response interceptor frees the map entry, keeps a renewed token from the
// response header and checks the envelope.
function makeAxios() {
  let token = TOKEN;
  const controllers = new Map();
  const instance = axios.create({ baseURL: location.origin });

  const duplicateKey = (config) =>
    `${config.method} ${instance.getUri(config)} ${JSON.stringify(config.data ?? null)}`;
  const release = (config) => {
    if (config && controllers.get(config.duplicateKey) === config.duplicateController) {
      controllers.delete(config.duplicateKey);
    }
  };

  instance.interceptors.request.use((config) => {
    if (token) {
      config.headers.Authorization = `Bearer ${token}`;
    }
    const key = duplicateKey(config);
    controllers.get(key)?.abort();
    const controller = new AbortController();
    controllers.set(key, controller);
    config.signal = controller.signal;
    config.duplicateKey = key;
    config.duplicateController = controller;
    return config;
  });
  instance.interceptors.response.use(
    (response) => {
      release(response.config);
      const renewed = response.headers.authorization;
      if (typeof renewed === "string" && renewed.startsWith("Bearer ")) {
        token = renewed.slice("Bearer ".length);
      }
      if (response.data?.code === OVERDUE) {
        throw new Error("the server responded overdue (code 401), which /scenario/ok never does");
      }
      return checkEnvelope(response.data);
    },
    (error) => {
      release(error.config);
      throw error;
    },
  );
  return (url) => instance.get(url);
}

// renew-fetch with its defaults: the token in local storage, cancel-previous duplicates.
function makeClient() {
  const client = new HttpClient({ tokenKey: "overhead-bench.token" });
  client.setToken(TOKEN);
  return (url) => client.get(url).then(checkEnvelope);
}

// The floor: one Rust method that awaits one fetch with the Bearer header through
// wasm-bindgen-futures. Any wasm-bindgen client pays this cost before its own logic.
function makeFloor() {
  const client = new FloorClient(TOKEN);
  return (url) => client.get(url).then(checkEnvelope);
}

async function sendSequence(get, count) {
  for (let i = 0; i < count; i += 1) {
    await get(nextUrl());
  }
}

async function sendBatches(get, count, batchSize) {
  for (let sent = 0; sent < count; sent += batchSize) {
    const size = Math.min(batchSize, count - sent);
    const calls = [];
    for (let i = 0; i < size; i += 1) {
      calls.push(get(nextUrl()));
    }
    await Promise.all(calls);
  }
}

// Returns the items of `list` in a random order (Fisher-Yates).
function shuffled(list) {
  const copy = [...list];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

// Runs the benchmark and returns, per mode and implementation, the total milliseconds, the
// request count and the milliseconds of each round.
//
// Each implementation sends `total` requests per mode, in rounds. A round of the sequence mode
// sends `chunk` requests in sequence with each implementation in turn, and a round of the batch
// mode sends one batch of `batchSize` with each. The order of the four is drawn at random for
// every round, so drift on the shared machine, and what one implementation leaves for the next
// to pay, such as garbage to collect, weigh on all four alike. A warm-up of `warmup` requests per
// implementation and mode runs first and is not counted.
window.runOverhead = async function runOverhead({ total, batchSize, chunk, warmup }) {
  await init();
  await initFloor();
  const implementations = [
    ["fetch", rawFetchGet],
    ["axios", makeAxios()],
    ["renew-fetch", makeClient()],
    ["floor", makeFloor()],
  ];
  const modes = [
    ["sequence", chunk, (get, count) => sendSequence(get, count)],
    ["batches", batchSize, (get, count) => sendBatches(get, count, batchSize)],
  ];
  for (const [mode, perRound] of modes) {
    if (total % perRound !== 0) {
      throw new Error(`total ${total} must be a multiple of ${perRound}, the ${mode} round size`);
    }
  }

  for (const [, , send] of modes) {
    for (const [, get] of implementations) {
      await send(get, warmup);
    }
  }

  const results = {};
  for (const [mode, perRound, send] of modes) {
    results[mode] = {};
    for (const [name] of implementations) {
      results[mode][name] = { ms: 0, requests: 0, rounds: [] };
    }
    for (let round = 0; round < total / perRound; round += 1) {
      for (const [name, get] of shuffled(implementations)) {
        const start = performance.now();
        await send(get, perRound);
        const elapsed = performance.now() - start;
        const entry = results[mode][name];
        entry.ms += elapsed;
        entry.requests += perRound;
        entry.rounds.push(elapsed);
      }
    }
  }
  return results;
};

// Sends `count` GETs in sequence with the implementation `name` ("fetch", "axios" or
// "renew-fetch"), for profile.js to profile one implementation at a time.
let profiled;
window.sendInSequence = async function sendInSequence(name, count) {
  if (!profiled) {
    await init();
    await initFloor();
    profiled = { fetch: rawFetchGet, axios: makeAxios(), "renew-fetch": makeClient(), floor: makeFloor() };
  }
  const get = profiled[name];
  if (!get) {
    throw new Error(`unknown implementation "${name}"; use fetch, axios, renew-fetch or floor`);
  }
  await sendSequence(get, count);
};

window.overheadReady = true;
