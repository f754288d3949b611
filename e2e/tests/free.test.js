// Checks a client after free(), in the bundler and web builds of pkg/ in Node and the web build
// in Chromium and Firefox, against the real demo server. Each member fails with a TypeError that
// names it, a second free() does nothing, and the calls pending at free() still settle. A free()
// through a Proxy of the client, such as Vue's reactive proxy, frees the client itself.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { repoRoot, startDemoServer } from "../lib/demo-server.js";
import { GC_RUNTIMES, RUNTIMES, openRuntimes } from "../lib/package-runtimes.js";

let server;
let runtimes;
let baseUrl;

before(async () => {
  server = await startDemoServer(["--scenarios", "--pkg", `${repoRoot}/pkg`]);
  runtimes = await openRuntimes(server);
  baseUrl = `${server.baseUrl}/scenario`;
});

after(async () => {
  await runtimes?.close();
  await server?.stop();
});

// The message of the TypeError that a freed client throws from `member`.
function freedMessage(member, verb = "called") {
  return `HttpClient.${member} was ${verb} after free(); create a new HttpClient`;
}

for (const runtime of RUNTIMES) {
  const evaluate = (fn, arg) => runtimes.evaluate(runtime, fn, arg);

  test(`request methods reject after free (${runtime})`, async () => {
    const results = await evaluate(async (HttpClient, baseUrl, outcomeOf) => {
      const api = new HttpClient({ baseUrl, tokenStorage: "memory" });
      api.free();
      return {
        get: await outcomeOf(() => api.get("/ok")),
        delete: await outcomeOf(() => api.delete("/ok")),
        post: await outcomeOf(() => api.post("/ok", { id: 1 })),
        put: await outcomeOf(() => api.put("/ok", { id: 1 })),
        patch: await outcomeOf(() => api.patch("/ok", { id: 1 })),
        request: await outcomeOf(() => api.request({ url: "/ok" })),
      };
    }, baseUrl);
    for (const [method, result] of Object.entries(results)) {
      assert.equal(result.threw, false, `expected ${method}() to return a promise, not to throw`);
      assert.equal(result.resolved, false, `expected the promise of ${method}() to reject`);
      assert.equal(result.name, "TypeError", `expected ${method}() to reject with a TypeError`);
      assert.equal(
        result.message,
        freedMessage(`${method}()`),
        `expected the error of ${method}() to name the method and the fix`,
      );
    }
  });

  test(`other methods throw after free (${runtime})`, async () => {
    const results = await evaluate(async (HttpClient, baseUrl, outcomeOf) => {
      const api = new HttpClient({ baseUrl, tokenStorage: "memory" });
      api.free();
      return {
        setToken: await outcomeOf(() => api.setToken("abc")),
        getToken: await outcomeOf(() => api.getToken()),
        clearToken: await outcomeOf(() => api.clearToken()),
        cancelAll: await outcomeOf(() => api.cancelAll()),
      };
    }, baseUrl);
    for (const [method, result] of Object.entries(results)) {
      assert.equal(result.threw, true, `expected ${method}() to throw`);
      assert.equal(result.name, "TypeError", `expected ${method}() to throw a TypeError`);
      assert.equal(
        result.message,
        freedMessage(`${method}()`),
        `expected the error of ${method}() to name the method and the fix`,
      );
    }
  });

  test(`properties throw after free (${runtime})`, async () => {
    const results = await evaluate(async (HttpClient, baseUrl, outcomeOf) => {
      const api = new HttpClient({ baseUrl, tokenStorage: "memory" });
      api.free();
      return {
        pendingCount: await outcomeOf(() => api.pendingCount),
        tokenStorage: await outcomeOf(() => api.tokenStorage),
      };
    }, baseUrl);
    for (const [property, result] of Object.entries(results)) {
      assert.equal(result.threw, true, `expected reading ${property} to throw`);
      assert.equal(result.name, "TypeError", `expected reading ${property} to throw a TypeError`);
      assert.equal(
        result.message,
        freedMessage(property, "read"),
        `expected the error of ${property} to name the property and the fix`,
      );
    }
  });

  test(`second free does nothing (${runtime})`, async () => {
    const results = await evaluate(async (HttpClient, baseUrl, outcomeOf) => {
      const freed = new HttpClient({ baseUrl, tokenStorage: "memory" });
      freed.free();
      const disposed = new HttpClient({ baseUrl, tokenStorage: "memory" });
      disposed[Symbol.dispose]();
      return {
        "free() after free()": await outcomeOf(() => freed.free()),
        "[Symbol.dispose]() after free()": await outcomeOf(() => freed[Symbol.dispose]()),
        "free() after [Symbol.dispose]()": await outcomeOf(() => disposed.free()),
      };
    }, baseUrl);
    for (const [call, result] of Object.entries(results)) {
      assert.equal(result.threw, false, `expected ${call} not to throw, got: ${result.message}`);
      assert.equal(result.value, null, `expected ${call} to return undefined`);
    }
  });

  test(`getToken throws after dispose (${runtime})`, async () => {
    const result = await evaluate(async (HttpClient, baseUrl, outcomeOf) => {
      const api = new HttpClient({ baseUrl, tokenStorage: "memory" });
      api[Symbol.dispose]();
      return outcomeOf(() => api.getToken());
    }, baseUrl);
    assert.equal(result.threw, true, "expected getToken() to throw");
    assert.equal(result.name, "TypeError", "expected getToken() to throw a TypeError");
    assert.equal(result.message, freedMessage("getToken()"), "expected the error to name the fix");
  });

  test(`pending call resolves after free (${runtime})`, async () => {
    const { call, loading } = await evaluate(async (HttpClient, baseUrl, outcomeOf) => {
      const loading = [];
      const api = new HttpClient({
        baseUrl,
        tokenStorage: "memory",
        onLoadingChange: (active) => loading.push(active),
      });
      // outcomeOf makes the call before its first await, so the call is pending at free().
      const pending = outcomeOf(() => api.get("/slow", { delay_ms: 300 }));
      api.free();
      return { call: await pending, loading };
    }, baseUrl);
    assert.equal(call.resolved, true, `expected the call to resolve, got: ${call.message}`);
    assert.equal(call.value.code, 200, "expected the success envelope");
    assert.deepEqual(loading, [true, false], "expected onLoadingChange to report the end");
  });

  test(`pending call times out after free (${runtime})`, async () => {
    const call = await evaluate(async (HttpClient, baseUrl, outcomeOf) => {
      const api = new HttpClient({ baseUrl, tokenStorage: "memory" });
      const pending = outcomeOf(() => api.get("/slow", { delay_ms: 5000 }, { timeoutMs: 200 }));
      api.free();
      return pending;
    }, baseUrl);
    assert.equal(call.resolved, false, "expected the call to reject");
    assert.equal(call.name, "RenewFetchError", "expected a RenewFetchError");
    assert.equal(call.kind, "timeout", "expected the call to time out");
  });

  test(`free in onError waits for the call (${runtime})`, async () => {
    const { thrown, call, later } = await evaluate(async (HttpClient, baseUrl, outcomeOf) => {
      let thrown = null;
      // onError runs before get() returns, because a URL that is not a string fails at once.
      const api = new HttpClient({
        baseUrl,
        tokenStorage: "memory",
        onError: () => {
          try {
            api.free();
          } catch (error) {
            thrown = `${error.name}: ${error.message}`;
          }
        },
      });
      const call = await outcomeOf(() => api.get(42));
      return { thrown, call, later: await outcomeOf(() => api.getToken()) };
    }, baseUrl);
    assert.equal(thrown, null, "expected free() in onError not to throw");
    assert.equal(call.kind, "invalid_request", "expected the call to reject as without free()");
    assert.equal(later.name, "TypeError", "expected getToken() after the call to throw a TypeError");
    assert.equal(later.message, freedMessage("getToken()"), "expected the error to name the fix");
  });

  test(`free in onLoadingChange keeps the call (${runtime})`, async () => {
    const { thrown, call } = await evaluate(async (HttpClient, baseUrl, outcomeOf) => {
      let thrown = null;
      const api = new HttpClient({
        baseUrl,
        tokenStorage: "memory",
        onLoadingChange: (active) => {
          if (!active) return;
          try {
            api.free();
          } catch (error) {
            thrown = `${error.name}: ${error.message}`;
          }
        },
      });
      const call = await outcomeOf(() => api.get("/ok"));
      return { thrown, call };
    }, baseUrl);
    assert.equal(thrown, null, "expected free() in onLoadingChange not to throw");
    assert.equal(call.resolved, true, `expected the call to resolve, got: ${call.message}`);
    assert.equal(call.value.code, 200, "expected the success envelope");
  });

  test(`free through a proxy frees the client (${runtime})`, async () => {
    const results = await evaluate(async (HttpClient, baseUrl, outcomeOf) => {
      const api = new HttpClient({ baseUrl, tokenStorage: "memory" });
      const proxy = new Proxy(api, {});
      proxy.free();
      // free() releases the memory in a microtask.
      await new Promise((resolve) => setTimeout(resolve, 0));
      return {
        "getToken() on the client": await outcomeOf(() => api.getToken()),
        "getToken() through the proxy": await outcomeOf(() => proxy.getToken()),
        "get() on the client": await outcomeOf(() => api.get("/ok")),
      };
    }, baseUrl);
    for (const [call, result] of Object.entries(results)) {
      assert.equal(result.name, "TypeError", `expected ${call} to fail with a TypeError, got: ${result.message}`);
    }
    const getToken = results["getToken() on the client"];
    assert.equal(getToken.message, freedMessage("getToken()"), "expected the error to name the fix");
    const get = results["get() on the client"];
    assert.equal(get.threw, false, "expected get() on the client to return a rejected promise");
  });

  test(`free of client after proxy free does nothing (${runtime})`, async () => {
    const errors = await evaluate(async (HttpClient, baseUrl) => {
      const api = new HttpClient({ baseUrl, tokenStorage: "memory" });
      new Proxy(api, {}).free();
      await new Promise((resolve) => setTimeout(resolve, 0));
      // free() releases the memory in a microtask, so an error there is an uncaught one.
      const errors = [];
      const record = (error) => errors.push(`${error?.name}: ${error?.message}`);
      const onError = (event) => {
        record(event.error);
        event.preventDefault();
      };
      const inNode = typeof process === "object";
      if (inNode) process.on("uncaughtException", record);
      else addEventListener("error", onError);
      try {
        api.free();
      } catch (error) {
        record(error);
      }
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (inNode) process.off("uncaughtException", record);
      else removeEventListener("error", onError);
      return errors;
    }, baseUrl);
    assert.deepEqual(errors, [], "expected the second free() to throw nothing, now or later");
  });
}

// A free() through a proxy that left the client registered with the glue's FinalizationRegistry
// would free its memory a second time once the collector took the client. A client made after
// that would take the same memory, so several clients would share one token. These runtimes
// expose gc(), so the test collects the freed clients itself.
for (const runtime of GC_RUNTIMES) {
  test(`clients stay apart after proxy free and gc (${runtime})`, async () => {
    const result = await runtimes.evaluate(
      runtime,
      async (HttpClient, baseUrl) => {
        if (typeof gc !== "function") return { error: "gc() is not exposed in this runtime" };
        const options = { baseUrl, tokenStorage: "memory" };
        const clients = [];
        let collected = 0;
        for (let round = 0; round < 10; round += 1) {
          let weak = null;
          (() => {
            const freed = new HttpClient(options);
            new Proxy(freed, {}).free();
            weak = new WeakRef(freed);
          })();
          await new Promise((resolve) => setTimeout(resolve, 10));
          const client = new HttpClient(options);
          client.setToken(`token-${round}`);
          clients.push(client);
          for (let pass = 0; pass < 5; pass += 1) {
            gc();
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          if (weak.deref() === undefined) collected += 1;
        }
        return { collected, tokens: clients.map((client) => client.getToken()) };
      },
      baseUrl,
    );
    assert.equal(result.error, undefined, result.error);
    assert.ok(result.collected > 0, `expected the collector to take some freed clients, took ${result.collected}`);
    const expected = Array.from({ length: 10 }, (_, round) => `token-${round}`);
    assert.deepEqual(result.tokens, expected, "expected each client to keep its own token");
  });
}
