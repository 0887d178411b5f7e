// Builds the UI (member center and agent console) into web/dist, which the server serves (src/app.ts).
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/', import.meta.url)),
    emptyOutDir: true,
    // The CSP allows scripts from 'self' only: keep every script an external file, never inlined.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    // `npx vite --config web/vite.config.ts` during development, with the API served by `npm start` on :3000.
    proxy: { '/api': 'http://localhost:3000' },
  },
});
