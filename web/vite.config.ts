import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The admin workspace, built into dist/web and served by the satellite itself (DESIGN §10). Hashed file
 * names let the server cache assets forever; no CDN, no external font, nothing inlined that the CSP
 * (script-src 'self', style-src 'self') would refuse.
 */
export default defineConfig({
  root: here('.'),
  base: '/',
  plugins: [preact({ devToolsEnabled: false, prefreshEnabled: false })],
  build: {
    outDir: here('../dist/web'),
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
    reportCompressedSize: false,
  },
  server: { proxy: { '/backend': { target: 'https://localhost:8443', secure: false } } },
});
