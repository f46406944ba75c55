// Builds the embedded admin into dist/: hashed files under dist/assets and Vite's manifest,
// which backend/build.rs compiles into the seglink binary. No HTML: the backend writes the
// document (it verifies the launch and sets the frame policy per shop).
import { resolve } from "node:path";
import { defineConfig } from "vite";

export default defineConfig({
  root: import.meta.dirname,
  base: "/",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    manifest: true,
    target: "es2022",
    modulePreload: { polyfill: false },
    rollupOptions: { input: resolve(import.meta.dirname, "src/main.tsx") },
  },
});
