// Checks the web build of pkg/ inside Vue's reactivity and a Pinia store, in Node. Vue wraps an
// object in a reactive proxy, and Pinia's $patch merges into it field by field, when the object's
// Object.prototype.toString tag is "Object". A client has a tag of its own, so reactive state
// contains the client itself and $patch with a new client replaces the old one.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";

import { createPinia, defineStore, setActivePinia } from "pinia";
import { isProxy, reactive, ref } from "vue";

import { repoRoot } from "../lib/demo-server.js";

const entry = pathToFileURL(path.join(repoRoot, "pkg/web/renew_fetch.js"));
const { initSync, HttpClient } = await import(entry.href);
initSync({ module: readFileSync(new URL("renew_fetch_bg.wasm", entry)) });

// No test here sends a request, so the base URL names a port that nothing listens on.
const newClient = () => new HttpClient({ baseUrl: "http://127.0.0.1:9/api", tokenStorage: "memory" });

test("client has its own toString tag", () => {
  assert.equal(Object.prototype.toString.call(newClient()), "[object HttpClient]");
});

test("reactive state keeps the client itself", () => {
  const api = newClient();
  const state = reactive({ api });
  assert.equal(state.api, api, "expected reactive() to return the client, not a proxy of it");
  assert.equal(isProxy(ref(api).value), false, "expected ref() to hold the client, not a proxy");
});

test("Pinia $patch replaces the client", () => {
  setActivePinia(createPinia());
  const first = newClient();
  const second = newClient();
  const useSession = defineStore("session", { state: () => ({ api: first }) });
  const store = useSession();
  store.$patch({ api: second });
  assert.equal(store.api, second, "expected $patch to put the new client in the store");
  first.setToken("first-token");
  second.setToken("second-token");
  assert.equal(first.getToken(), "first-token", "expected the old client to keep its own token");
  assert.equal(second.getToken(), "second-token", "expected the new client to keep its own token");
});

test("Object.assign copies no client field", () => {
  const copy = Object.assign({}, newClient());
  assert.deepEqual(Object.keys(copy), [], "expected no enumerable field to copy");
});
