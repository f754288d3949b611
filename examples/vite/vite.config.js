import { defineConfig } from "vite";
import wasm from "vite-plugin-wasm";

// wasm-pack's bundler target imports its .wasm file as an ES module
// (`import * as wasm from "./renew_fetch_bg.wasm"`), the WebAssembly/ES module integration that
// webpack supports and Vite does not. vite-plugin-wasm turns that import into a fetch and an
// instantiate behind a top-level await. Vite 7's default build target (baseline-widely-available:
// Chrome 107, Firefox 104, Safari 16) already has top-level await, so no second plugin is needed.
export default defineConfig({
  plugins: [wasm()],
  server: {
    host: "127.0.0.1",
    // `npm run dev` sends /api to a demo server, started with
    // cargo run --release --features demo --bin renew-fetch-demo
    proxy: { "/api": process.env.RENEW_FETCH_API ?? "http://127.0.0.1:8080" },
  },
});
