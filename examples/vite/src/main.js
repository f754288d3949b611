// A minimal app that uses renew-fetch the way an npm dependency is used: one import, no init
// call. Vite bundles the package's bundler build, and vite-plugin-wasm loads its .wasm file.
import { HttpClient } from "renew-fetch";

const status = document.getElementById("status");
const loginButton = document.getElementById("login");
const loadButton = document.getElementById("load");
const list = document.getElementById("items");

const api = new HttpClient({
  baseUrl: `${location.origin}/api`,
  tokenStorage: "memory",
  onLoginRequired: () => {
    loadButton.disabled = true;
    status.textContent = "Session ended. Log in again.";
  },
});

loginButton.addEventListener("click", async () => {
  try {
    const { data } = await api.post("/login", { username: "alice", password: "alice-password" });
    api.setToken(data.token);
    loadButton.disabled = false;
    status.textContent = `Logged in as ${data.user.username}.`;
  } catch (error) {
    status.textContent = `Login failed (${error.kind}): ${error.message}`;
  }
});

loadButton.addEventListener("click", async () => {
  try {
    const { data } = await api.get("/items", { page: 1 });
    list.replaceChildren(
      ...data.items.map((item) => {
        const row = document.createElement("li");
        row.textContent = item.name;
        return row;
      }),
    );
    status.textContent = `Loaded page ${data.page}.`;
  } catch (error) {
    status.textContent = `Loading failed (${error.kind}): ${error.message}`;
  }
});

document.documentElement.dataset.ready = "true";
