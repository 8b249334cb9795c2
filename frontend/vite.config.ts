/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "vite";

// `base: './'` so dist/ works both from file:// (desktop window) and from the web server root.
export default defineConfig({
  base: "./",
  plugins: [react(), tailwindcss()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
  },
  server: {
    // `npm run dev` against a running `tensorshelf serve`: TENSORSHELF_API=http://127.0.0.1:PORT
    proxy: process.env.TENSORSHELF_API
      ? { "/api": { target: process.env.TENSORSHELF_API, changeOrigin: false } }
      : undefined,
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
    restoreMocks: true,
    watch: false,
  },
});
