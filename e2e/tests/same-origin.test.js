// Checks the web build in Chromium and Firefox on a page of the demo server's own origin. The
// tests cover which renewed tokens it stores after a redirect, what it reports of a reply whose
// headers the browser hides from no one, and how it resolves URLs in about:blank and
// about:srcdoc frames and popups. fetch drops the token when a redirect leaves the origin, so a
// response that a redirect brought back from another origin is the reply to a request without it.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { repoRoot, startDemoServer } from "../lib/demo-server.js";
import { BROWSER_RUNTIMES, openRuntimes } from "../lib/package-runtimes.js";

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

// Sends GET `path` in `runtime` from a client with the token "mine", and returns how the call
// ended and which token the client stored afterwards: "mine", the one in the response's
// data.token, or another. The tokens themselves stay in the page, so a failed assert does not
// print them.
function getThrough(runtime, path) {
  return runtimes.evaluate(
    runtime,
    async (HttpClient, { baseUrl, path }) => {
      const api = new HttpClient({ baseUrl, tokenStorage: "memory" });
      api.setToken("mine");
      const stored = (issued) => {
        const token = api.getToken();
        if (token === "mine") return "mine";
        return token === issued ? "issued" : "another";
      };
      try {
        const envelope = await api.get(path);
        const issued = envelope.data?.token;
        return { resolved: true, issued: typeof issued, stored: stored(issued) };
      } catch (error) {
        return { resolved: false, kind: error.kind, message: error.message, stored: stored() };
      }
    },
    { baseUrl, path },
  );
}

for (const runtime of BROWSER_RUNTIMES) {
  test(`detour token not stored (${runtime})`, async () => {
    // 127.0.0.1 redirects to localhost, which redirects back to a route of 127.0.0.1 that issues a
    // token to any request and lets every origin read it.
    const back = "/scenario/renewed?any_origin=true";
    const detour = `/scenario/cross-origin-redirect?to=${encodeURIComponent(back)}`;
    const result = await getThrough(runtime, `/cross-origin-redirect?to=${encodeURIComponent(detour)}`);
    assert.equal(result.resolved, true, `expected the detour to end at /scenario/renewed, got ${JSON.stringify(result)}`);
    assert.equal(result.issued, "string", "expected the route to issue a token in data.token");
    assert.equal(result.stored, "mine", "expected the client to keep its own token");
  });

  test(`detour token not stored in a srcdoc frame (${runtime})`, async () => {
    // The frame's location is about:srcdoc, while fetch sends from the page's origin.
    const back = "/scenario/renewed?any_origin=true";
    const detour = `/scenario/cross-origin-redirect?to=${encodeURIComponent(back)}`;
    const path = `/cross-origin-redirect?to=${encodeURIComponent(detour)}`;
    const result = await runtimes.evaluate(
      runtime,
      async (_, { baseUrl, path }) => {
        const frame = document.createElement("iframe");
        const outcome = new Promise((resolve) => {
          addEventListener("message", (event) => resolve(event.data), { once: true });
        });
        frame.srcdoc = `<script type="module">
          const { default: init, HttpClient } = await import("${location.origin}/pkg/web/renew_fetch.js");
          await init();
          const api = new HttpClient({ baseUrl: ${JSON.stringify(baseUrl)}, tokenStorage: "memory" });
          api.setToken("mine");
          try {
            await api.get(${JSON.stringify(path)});
            parent.postMessage({ resolved: true, kept: api.getToken() === "mine" }, "*");
          } catch (error) {
            parent.postMessage({ resolved: false, kind: error.kind, message: error.message }, "*");
          }
        </script>`;
        document.body.append(frame);
        return outcome;
      },
      { baseUrl, path },
    );
    assert.equal(result.resolved, true, `expected the detour to end at /scenario/renewed, got ${JSON.stringify(result)}`);
    assert.equal(result.kept, true, "expected the client in the frame to keep its own token");
  });

  test(`token renewed after a same-origin redirect stored (${runtime})`, async () => {
    const result = await getThrough(runtime, `/redirect?to=${encodeURIComponent("/scenario/renewed")}`);
    assert.equal(result.resolved, true, `expected the redirect to end at /scenario/renewed, got ${JSON.stringify(result)}`);
    assert.equal(result.issued, "string", "expected the route to issue a token in data.token");
    assert.equal(result.stored, "issued", "expected the client to store the renewed token");
  });

  test(`same-origin overdue message names no CORS cause (${runtime})`, async () => {
    const result = await getThrough(runtime, "/overdue-no-header");
    assert.equal(result.resolved, false, "expected the call to reject");
    assert.equal(result.kind, "login_required", "expected a login_required error");
    assert.ok(
      !result.message.includes("Access-Control-Expose-Headers"),
      `expected no CORS cause for a reply of the page's own origin, got: ${result.message}`,
    );
    assert.ok(
      result.message.includes("The app's handler sent code 401 itself, or a proxy removed the header"),
      `expected the message to name the handler and a proxy, got: ${result.message}`,
    );
  });

  test(`about:blank frame resolves URLs and shares the token (${runtime})`, async () => {
    const result = await runtimes.evaluate(
      runtime,
      async () => {
        localStorage.setItem("renew-fetch.token", "page-token");
        const frame = document.createElement("iframe");
        document.body.append(frame);
        // The frame has no src, so its location is about:blank and its base URL is the page's.
        const { default: init, HttpClient } = await frame.contentWindow.eval('import("/pkg/web/renew_fetch.js")');
        await init();
        const api = new HttpClient();
        const stored = api.getToken() === "page-token";
        try {
          const envelope = await api.get("/scenario/echo-auth");
          return { href: frame.contentWindow.location.href, stored, resolved: true, sent: envelope.data.authorization === "Bearer page-token" };
        } catch (error) {
          return { href: frame.contentWindow.location.href, stored, resolved: false, kind: error.kind, message: error.message };
        } finally {
          localStorage.removeItem("renew-fetch.token");
        }
      },
      undefined,
    );
    assert.equal(result.href, "about:blank", "expected the frame's location to be about:blank");
    assert.equal(result.stored, true, "expected the frame's client to read the page's token under the default key");
    assert.equal(result.resolved, true, `expected a relative URL to resolve against the page, got ${JSON.stringify(result)}`);
    assert.equal(result.sent, true, "expected the call to send the page's token");
  });

  test(`about:blank popup resolves URLs and shares the token (${runtime})`, async () => {
    const result = await runtimes.evaluate(
      runtime,
      async () => {
        localStorage.setItem("renew-fetch.token", "page-token");
        // A popup opened with an empty URL is at about:blank, with the opener's origin and base.
        const popup = window.open("");
        if (popup === null) return { opened: false };
        try {
          const { default: init, HttpClient } = await popup.eval(
            `import(${JSON.stringify(`${location.origin}/pkg/web/renew_fetch.js`)})`,
          );
          await init();
          const api = new HttpClient();
          const stored = api.getToken() === "page-token";
          try {
            const envelope = await api.get("/scenario/echo-auth");
            return { opened: true, href: popup.location.href, stored, resolved: true, sent: envelope.data.authorization === "Bearer page-token" };
          } catch (error) {
            return { opened: true, href: popup.location.href, stored, resolved: false, kind: error.kind, message: error.message };
          }
        } finally {
          popup.close();
          localStorage.removeItem("renew-fetch.token");
        }
      },
      undefined,
    );
    assert.equal(result.opened, true, "expected window.open to open a popup");
    assert.equal(result.href, "about:blank", "expected the popup's location to be about:blank");
    assert.equal(result.stored, true, "expected the popup's client to read the page's token under the default key");
    assert.equal(result.resolved, true, `expected a relative URL to resolve against the opener, got ${JSON.stringify(result)}`);
    assert.equal(result.sent, true, "expected the call to send the page's token");
  });

  test(`about:blank frame ignores a cross-origin base (${runtime})`, async () => {
    const result = await runtimes.evaluate(
      runtime,
      async () => {
        localStorage.setItem("renew-fetch.token", "page-token");
        // The frame inherits the page's base URL, here on the localhost name of the server.
        const base = document.createElement("base");
        base.href = `${location.protocol}//localhost:${location.port}/sub/`;
        document.head.append(base);
        const frame = document.createElement("iframe");
        document.body.append(frame);
        base.remove();
        const { default: init, HttpClient } = await frame.contentWindow.eval(
          `import(${JSON.stringify(`${location.origin}/pkg/web/renew_fetch.js`)})`,
        );
        await init();
        const api = new HttpClient();
        try {
          const envelope = await api.get("/scenario/echo-auth");
          const requested = frame.contentWindow.performance
            .getEntriesByType("resource")
            .map((entry) => entry.name)
            .filter((name) => name.endsWith("/scenario/echo-auth"));
          return {
            baseURI: frame.contentWindow.document.baseURI.startsWith("http://localhost:"),
            resolved: true,
            sent: envelope.data.authorization === "Bearer page-token",
            requested: requested.map((name) => new URL(name).hostname),
          };
        } catch (error) {
          return { resolved: false, kind: error.kind, message: error.message };
        } finally {
          localStorage.removeItem("renew-fetch.token");
        }
      },
      undefined,
    );
    assert.equal(result.resolved, true, `expected the call to resolve, got ${JSON.stringify(result)}`);
    assert.equal(result.baseURI, true, "expected the frame's base URL on localhost");
    assert.deepEqual(result.requested, ["127.0.0.1"], "expected the request to go to the frame's own origin");
    assert.equal(result.sent, true, "expected the call to send the page's token");
  });

  test(`page origin survives a replaced self.origin (${runtime})`, async () => {
    const result = await runtimes.evaluate(
      runtime,
      async (HttpClient) => {
        // A page script's global `var origin` or `origin = …` replaces self.origin.
        const own = location.origin;
        globalThis.origin = `${location.protocol}//localhost:${location.port}`;
        try {
          const api = new HttpClient({ tokenStorage: "memory" });
          api.setToken("mine");
          const envelope = await api.get(`${own}/scenario/echo-auth`);
          return { resolved: true, sent: envelope.data.authorization === "Bearer mine" };
        } catch (error) {
          return { resolved: false, kind: error.kind, message: error.message };
        } finally {
          delete globalThis.origin;
        }
      },
      undefined,
    );
    assert.equal(result.resolved, true, `expected the call to resolve, got ${JSON.stringify(result)}`);
    assert.equal(result.sent, true, "expected the page's own origin to get the token");
  });

  test(`about:blank frame ignores a replaced self.origin (${runtime})`, async () => {
    const result = await runtimes.evaluate(
      runtime,
      async () => {
        const frame = document.createElement("iframe");
        document.body.append(frame);
        const { default: init, HttpClient } = await frame.contentWindow.eval(
          `import(${JSON.stringify(`${location.origin}/pkg/web/renew_fetch.js`)})`,
        );
        await init();
        // A script of the frame replaces its self.origin with the localhost name of the server.
        frame.contentWindow.origin = `${location.protocol}//localhost:${location.port}`;
        const api = new HttpClient({ tokenStorage: "memory" });
        api.setToken("mine");
        try {
          const envelope = await api.get(`${location.origin}/scenario/echo-auth`);
          return { resolved: true, sent: envelope.data.authorization === "Bearer mine" };
        } catch (error) {
          return { resolved: false, kind: error.kind, message: error.message };
        }
      },
      undefined,
    );
    assert.equal(result.resolved, true, `expected the call to resolve, got ${JSON.stringify(result)}`);
    assert.equal(result.sent, true, "expected the frame's own origin to get the token");
  });
}
