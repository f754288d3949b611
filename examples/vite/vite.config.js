import { defineConfig } from "vite";
import wasm from "vite-plugin-wasm";

// wasm-bindgen's bundler target imports its .wasm file as an ES module
// (`import * as wasm from "./renew_fetch_bg.wasm"`), the WebAssembly/ES module integration. Vite
// 8.4.1 builds that import by itself, but its dev server pre-bundles the glue into a copy that the
// .wasm file does not call. vite-plugin-wasm turns the import into a fetch and an instantiate
// behind a top-level await in both. Vite 8's default build target (baseline-widely-available:
// Chrome 111, Firefox 114, Safari 16.4) already has top-level await, so no second plugin is needed.
export default defineConfig({
  plugins: [wasm()],
  server: {
    host: "127.0.0.1",
    // `npm run dev` sends /api to a demo server, started with
    // cargo run --release --features demo --bin renew-fetch-demo
    proxy: { "/api": process.env.RENEW_FETCH_API ?? "http://127.0.0.1:8080" },
  },
});
