import { readFileSync } from "node:fs";

import { defineConfig } from "vite";
import { VitePWA } from "vite-plugin-pwa";

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as { version: string };
// The app version: package version plus build time, shown in the app and baked into the service worker.
const VERSION = `${pkg.version}+${new Date().toISOString().slice(0, 16).replace(/[-:T]/g, "")}`;
const API = process.env["DOORSTEP_API"] ?? "http://localhost:8000";

export default defineConfig({
  define: { __APP_VERSION__: JSON.stringify(VERSION) },
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "dist",
    target: "es2022",
    sourcemap: false,
    // No inline <style> or data: scripts: everything is a file the CSP allows ('self').
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    // `npm run dev`: the API runs on :8000 (`make run`); its Origin check wants its own origin.
    proxy: {
      "/api": {
        target: API,
        changeOrigin: true,
        configure: (proxy) => {
          proxy.on("proxyReq", (req) => {
            if (req.getHeader("origin")) req.setHeader("origin", API);
          });
        },
      },
    },
  },
  plugins: [
    VitePWA({
      strategies: "injectManifest",
      srcDir: "src",
      filename: "sw.ts",
      registerType: "prompt",
      injectRegister: false,
      manifestFilename: "manifest.webmanifest",
      includeAssets: ["icons/icon.svg", "icons/apple-touch-icon.png"],
      manifest: {
        id: "/",
        name: "Doorstep",
        short_name: "Doorstep",
        description: "Burglary visits at the door: evidence, advice and support, with or without signal.",
        start_url: "/",
        scope: "/",
        display: "standalone",
        orientation: "portrait",
        background_color: "#ffffff",
        theme_color: "#0b2d6b",
        lang: "en-GB",
        icons: [
          { src: "icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
          { src: "icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
          { src: "icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
          { src: "icons/icon.svg", sizes: "any", type: "image/svg+xml", purpose: "any" },
        ],
      },
      injectManifest: {
        globPatterns: ["**/*.{js,css,html,png,svg,webmanifest}"],
        // Never anything under /api/.
        globIgnores: ["**/api/**"],
        rollupFormat: "iife",
      },
      devOptions: { enabled: false },
    }),
  ],
});
