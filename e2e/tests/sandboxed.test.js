// Checks the web build in a frame with `sandbox="allow-scripts"`, in Chromium and Firefox: once
// as an about:srcdoc frame and once as a page of the demo server, /scenario/sandboxed-frame.
// Such a frame has the opaque origin "null", so it has no local storage, and every reply that
// it reads is a CORS reply, also from the server that served it. The client takes the page's
// origin from the frame's location, and the srcdoc frame has none. It ignores the token of any
// redirected reply from that origin, or in the srcdoc frame of any redirected reply, because
// fetch does not show whether the redirect left it. The last tests check that a srcdoc frame, a
// data: frame and a file: page, whose locations have no origin, send no token to the origin of
// their <base> and reject relative URLs, and that a blob: frame rejects a path. The demo server
// allows the origin "null" on /pkg/ and /scenario/ when it runs with --scenarios.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { pathToFileURL } from "node:url";

import { repoRoot, startDemoServer } from "../lib/demo-server.js";
import { BROWSER_RUNTIMES, openRuntimes } from "../lib/package-runtimes.js";

// How the sandboxed frame gets its document: inline, or from the demo server.
const FRAME_KINDS = ["srcdoc", "src"];

let server;
let runtimes;

before(async () => {
  server = await startDemoServer(["--scenarios", "--pkg", `${repoRoot}/pkg`]);
  runtimes = await openRuntimes(server);
});

after(async () => {
  await runtimes?.close();
  await server?.stop();
});

// Calls `fn(arg)` in a new frame with `sandbox="allow-scripts"` on a page of the server's origin
// in `runtime`, and resolves to its result. The frame runs the page of /scenario/sandboxed-frame,
// which evaluates the script that the page posts to it. With `kind` "srcdoc" the page is the
// frame's srcdoc, and with "src" its URL.
function inSandboxedFrame(runtime, kind, fn, arg, base) {
  const script = `(${fn})(${JSON.stringify(arg)})`;
  return runtimes.evaluate(
    runtime,
    async (_, { kind, script, base }) => {
      const frame = document.createElement("iframe");
      if (kind !== "data" && kind !== "blob") frame.setAttribute("sandbox", "allow-scripts");
      // Resolves to the data of the next message from the frame that has one of `fields`.
      const message = (...fields) =>
        new Promise((resolve) => {
          const listener = (event) => {
            if (event.source !== frame.contentWindow) return;
            if (!fields.some((field) => field in Object(event.data))) return;
            removeEventListener("message", listener);
            resolve(event.data);
          };
          addEventListener("message", listener);
        });
      const ready = message("ready");
      let blobUrl;
      if (kind === "srcdoc" || kind === "data" || kind === "blob") {
        const page = await (await fetch("/scenario/sandboxed-frame")).text();
        const html = base === undefined ? page : page.replace("<title>", `<base href="${base}"><title>`);
        if (kind === "srcdoc") {
          frame.srcdoc = html;
        } else if (kind === "blob") {
          blobUrl = URL.createObjectURL(new Blob([html], { type: "text/html" }));
          frame.src = blobUrl;
        } else {
          frame.src = `data:text/html;charset=utf-8,${encodeURIComponent(html)}`;
        }
      } else {
        frame.src = "/scenario/sandboxed-frame";
      }
      document.body.append(frame);
      try {
        await ready;
        const reply = message("value", "error");
        frame.contentWindow.postMessage({ script }, "*");
        const { value, error } = await reply;
        if (error !== undefined) throw new Error(`the script in the sandboxed frame threw ${error}`);
        return value;
      } finally {
        frame.remove();
        if (blobUrl !== undefined) URL.revokeObjectURL(blobUrl);
      }
    },
    { kind, script, base },
  );
}

// Runs in the sandboxed frame: imports and initialises the web build from the server at
// `origin`, creates a client with `options` and the token "mine", and sends GET `path`. Returns
// the frame's origin, location and access to local storage, how the call ended, whether the
// server echoed "Bearer mine" in data.authorization, and which token the client stored
// afterwards: "mine", the one in the response's data.token, the one that the call sent, or
// another. The tokens stay in the frame, so a failed assert does not print them.
async function callInFrame({ origin, options, path }) {
  const { default: init, HttpClient } = await import(`${origin}/pkg/web/renew_fetch.js`);
  await init();
  const api = new HttpClient(options);
  api.setToken("mine");
  const stored = (data) => {
    const token = api.getToken();
    if (token === "mine") return "mine";
    if (token === data?.token) return "issued";
    if (data?.authorization === `Bearer ${token}`) return "sent";
    return "another";
  };
  const frame = { origin: self.origin, href: location.href, localStorage: true };
  try {
    void localStorage;
  } catch {
    frame.localStorage = false;
  }
  try {
    const envelope = await api.get(path);
    const data = envelope.data;
    return {
      frame,
      resolved: true,
      issued: typeof data?.token,
      sentMine: data?.authorization === "Bearer mine",
      stored: stored(data),
    };
  } catch (error) {
    return { frame, resolved: false, kind: error.kind, message: error.message, stored: stored() };
  }
}

// Calls GET `path` in a sandboxed frame of `kind` in `runtime`, from a client for the base URL
// `baseUrl`, relative to the frame's base URL unless absolute.
function getInFrame(runtime, kind, path, baseUrl = `${server.baseUrl}/scenario`) {
  const options = { baseUrl };
  return inSandboxedFrame(runtime, kind, callInFrame, { origin: server.baseUrl, options, path });
}

// The location that a sandboxed frame of `kind` reports.
function frameHref(kind) {
  return kind === "srcdoc" ? "about:srcdoc" : `${server.baseUrl}/scenario/sandboxed-frame`;
}

// 127.0.0.1 redirects to localhost, which redirects back to a route of 127.0.0.1 that issues a
// token.
const DETOUR = `/cross-origin-redirect?to=${encodeURIComponent(
  `/scenario/cross-origin-redirect?to=${encodeURIComponent("/scenario/renewed?any_origin=true")}`,
)}`;

for (const runtime of BROWSER_RUNTIMES) {
  for (const kind of FRAME_KINDS) {
    test(`sandboxed ${kind} frame sends the token (${runtime})`, async () => {
      // The default options keep the token in local storage, which the frame cannot open, so the
      // client keeps it in memory. A relative base URL resolves against the frame's URL, and the
      // srcdoc frame, which has no URL to resolve against, takes an absolute one.
      const base = kind === "srcdoc" ? `${server.baseUrl}/scenario` : "/scenario";
      const result = await getInFrame(runtime, kind, "/echo-auth", base);
      assert.equal(result.frame.origin, "null", "expected the frame to have the opaque origin");
      assert.equal(result.frame.href, frameHref(kind), `expected the frame at ${frameHref(kind)}`);
      assert.equal(result.frame.localStorage, false, "expected local storage to throw in the frame");
      assert.equal(result.resolved, true, `expected the call to resolve, got ${JSON.stringify(result)}`);
      assert.equal(result.sentMine, true, "expected the call to send the token of setToken()");
      assert.equal(result.stored, "mine", "expected the client to keep its token in memory");
    });

    test(`sandboxed ${kind} frame stores a renewed token (${runtime})`, async () => {
      const result = await getInFrame(runtime, kind, "/renewed");
      assert.equal(result.resolved, true, `expected the call to resolve, got ${JSON.stringify(result)}`);
      assert.equal(result.issued, "string", "expected the route to issue a token in data.token");
      assert.equal(result.stored, "issued", "expected the client to store the renewed token");
    });

    test(`sandboxed ${kind} frame renews an overdue call (${runtime})`, async () => {
      // The first request gets 401 overdue with a new token, and the replay with it succeeds.
      const key = `sandboxed-${kind}-${runtime.replace(/\W+/g, "-")}`;
      const result = await getInFrame(runtime, kind, `/overdue-once?key=${key}`);
      assert.equal(result.resolved, true, `expected the replay to resolve, got ${JSON.stringify(result)}`);
      assert.equal(result.sentMine, false, "expected the replay to send the renewed token");
      assert.equal(result.stored, "sent", "expected the client to store the token that it replayed with");
    });

    test(`sandboxed ${kind} frame overdue names CORS (${runtime})`, async () => {
      // Every reply in the frame is a CORS reply, whose renewed-token header the browser hides
      // unless the server exposes it, so the message names that cause.
      const key = `sandboxed-no-header-${kind}-${runtime.replace(/\W+/g, "-")}`;
      const result = await getInFrame(runtime, kind, `/overdue-no-header?key=${key}`);
      assert.equal(result.resolved, false, "expected the overdue reply without a token to reject");
      assert.equal(result.kind, "login_required", "expected a login_required error");
      assert.ok(
        result.message.includes("Access-Control-Expose-Headers"),
        `expected the message to name Access-Control-Expose-Headers, got: ${result.message}`,
      );
    });

    test(`sandboxed ${kind} frame ignores a detour token (${runtime})`, async () => {
      const result = await getInFrame(runtime, kind, DETOUR);
      assert.equal(result.resolved, true, `expected the detour to end at /scenario/renewed, got ${JSON.stringify(result)}`);
      assert.equal(result.issued, "string", "expected the route to issue a token in data.token");
      assert.equal(result.stored, "mine", "expected the client to keep its own token");
    });

    test(`sandboxed ${kind} frame ignores a redirect token (${runtime})`, async () => {
      // A redirect within the origin gives a "cors" reply too, which the client cannot tell from
      // a detour, so it keeps its token.
      const path = `/redirect?to=${encodeURIComponent("/scenario/renewed")}`;
      const result = await getInFrame(runtime, kind, path);
      assert.equal(result.resolved, true, `expected the redirect to end at /scenario/renewed, got ${JSON.stringify(result)}`);
      assert.equal(result.issued, "string", "expected the route to issue a token in data.token");
      assert.equal(result.stored, "mine", "expected the client to keep its own token");
    });
  }
}

// Runs in a frame: imports and initialises the web build from the server at `origin`, then
// creates a client with `options` and the token "mine" and sends GET `path`. Returns the frame's
// origin, the message of the constructor's error, or whether the server echoed "Bearer mine".
async function sendFromFrame({ origin, options, path }) {
  const { default: init, HttpClient } = await import(`${origin}/pkg/web/renew_fetch.js`);
  await init();
  let api;
  try {
    api = new HttpClient(options);
  } catch (error) {
    return { origin: self.origin, constructed: false, message: error.message };
  }
  api.setToken("mine");
  try {
    const envelope = await api.get(path);
    return { origin: self.origin, constructed: true, sentMine: envelope.data?.authorization === "Bearer mine" };
  } catch (error) {
    return { origin: self.origin, constructed: true, sentMine: false, message: error.message };
  }
}

// The location that a frame of `kind` with an opaque origin resolves URLs against.
const OPAQUE_SCHEMES = { srcdoc: "about:", data: "data:" };

// The server's origin under the name localhost, which the frames' <base> names. It is another
// origin than the page's, and no proof of the frame's origin.
function localhostOrigin() {
  return server.baseUrl.replace("127.0.0.1", "localhost");
}

for (const runtime of BROWSER_RUNTIMES) {
  for (const kind of Object.keys(OPAQUE_SCHEMES)) {

    test(`${kind} frame rejects a relative baseUrl (${runtime})`, async () => {
      // A path, and a URL that starts with // and so takes the scheme of the frame's URL.
      const host = new URL(server.baseUrl).host;
      for (const baseUrl of ["/scenario", `//${host}/scenario`]) {
        const arg = { origin: server.baseUrl, options: { baseUrl }, path: "/echo-auth" };
        const result = await inSandboxedFrame(runtime, kind, sendFromFrame, arg, `${localhostOrigin()}/`);
        assert.equal(result.origin, "null", "expected the frame to have the opaque origin");
        assert.equal(result.sentMine, undefined, `expected no call with baseUrl ${baseUrl} to send the token`);
        assert.equal(result.constructed, false, `expected the client to reject the baseUrl ${baseUrl}`);
        const scheme = OPAQUE_SCHEMES[kind];
        assert.ok(
          result.message.includes(`"${baseUrl}" is relative, and the URL of the page or worker has the scheme ${scheme}`),
          `expected the message to name the scheme ${scheme}, got: ${result.message}`,
        );
      }
    });

    test(`${kind} frame rejects a relative URL (${runtime})`, async () => {
      const arg = { origin: server.baseUrl, options: { tokenStorage: "memory" }, path: "scenario/echo-auth" };
      const result = await inSandboxedFrame(runtime, kind, sendFromFrame, arg, `${localhostOrigin()}/`);
      assert.equal(result.sentMine, false, "expected the call to send no token");
      const scheme = OPAQUE_SCHEMES[kind];
      assert.ok(
        result.message?.includes(`is relative, and the URL of the page or worker has the scheme ${scheme}`),
        `expected the message to name the scheme ${scheme}, got: ${result.message}`,
      );
    });

    test(`${kind} frame sends no token to its base (${runtime})`, async () => {
      // Without a baseUrl or allowedOrigins, the client of a page with no origin sends its token
      // nowhere.
      const path = `${localhostOrigin()}/scenario/echo-auth`;
      const arg = { origin: server.baseUrl, options: { tokenStorage: "memory" }, path };
      const result = await inSandboxedFrame(runtime, kind, sendFromFrame, arg, `${localhostOrigin()}/`);
      assert.equal(result.message, undefined, "expected the call to resolve");
      assert.equal(result.sentMine, false, "expected the call to the <base>'s origin to carry no token");
    });
  }
}

for (const runtime of BROWSER_RUNTIMES) {
  test(`blob: frame rejects a path (${runtime})`, async () => {
    // A blob: document has the page's origin, but fetch resolves a path against its blob: URL,
    // which fails, so the client must not resolve the path against the origin.
    const arg = { origin: server.baseUrl, options: { tokenStorage: "memory" }, path: "/scenario/echo-auth" };
    const result = await inSandboxedFrame(runtime, "blob", sendFromFrame, arg);
    assert.equal(result.origin, server.baseUrl, "expected the blob: frame to have the page's origin");
    assert.equal(result.sentMine, false, "expected the call to send no token");
    assert.ok(
      result.message?.includes("is relative, and the URL of the page or worker has the scheme blob:"),
      `expected the message to name the scheme blob:, got: ${result.message}`,
    );
    assert.ok(
      result.message?.includes(`such as ${server.baseUrl}/api`),
      `expected the example URL to be on the frame's origin ${server.baseUrl}, got: ${result.message}`,
    );
  });
}

for (const runtime of BROWSER_RUNTIMES) {
  test(`file: page has no page origin (${runtime})`, async () => {
    // A relative URL or baseUrl resolves against the file: URL of the page, which fetch does not
    // send, and a redirected reply may have left the origin.
    const dir = mkdtempSync(path.join(tmpdir(), "renew-fetch-file-page-"));
    const file = path.join(dir, "page.html");
    writeFileSync(file, "<!doctype html><title>file page</title>");
    const page = await runtimes.newPage(runtime);
    try {
      await page.goto(pathToFileURL(file).href);
      const result = await page.evaluate(async (origin) => {
        const { default: init, HttpClient } = await import(`${origin}/pkg/web/renew_fetch.js`);
        await init();
        const constructorError = (baseUrl) => {
          try {
            new HttpClient({ baseUrl, tokenStorage: "memory" });
            return undefined;
          } catch (error) {
            return error.message;
          }
        };
        const callError = async (api, url) => {
          try {
            await api.get(url);
            return undefined;
          } catch (error) {
            return error.message;
          }
        };
        const api = new HttpClient({ baseUrl: `${origin}/scenario`, tokenStorage: "memory" });
        api.setToken("mine");
        await api.get(`/redirect?to=${encodeURIComponent("/scenario/renewed")}`);
        return {
          path: constructorError("/scenario"),
          schemeRelative: constructorError(`//${new URL(origin).host}/scenario`),
          call: await callError(new HttpClient({ tokenStorage: "memory" }), "scenario/echo-auth"),
          redirectKept: api.getToken() === "mine",
        };
      }, server.baseUrl);
      assert.equal(result.redirectKept, true, "expected the client to ignore the token of a redirected reply");
      const scheme = "the URL of the page or worker has the scheme file:";
      assert.ok(
        result.path?.includes(`baseUrl "/scenario" is relative, and ${scheme}`),
        `expected the baseUrl message to name the page's file: scheme, got: ${result.path}`,
      );
      assert.ok(
        result.schemeRelative?.includes(`is relative, and ${scheme}`),
        `expected the message of a baseUrl that starts with // to name the page's scheme, got: ${result.schemeRelative}`,
      );
      assert.ok(
        result.call?.includes(`The URL "scenario/echo-auth" is relative, and ${scheme}`),
        `expected the call's message to name the URL as given, got: ${result.call}`,
      );
    } finally {
      await page.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
