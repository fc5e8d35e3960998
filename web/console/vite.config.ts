/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The atrium server the dev server forwards the API to (and whose origin it presents: atrium refuses
// cookie-authenticated writes whose Origin is not its public URL).
const target = process.env.ATRIUM_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true, // dist/.vite/manifest.json, read by scripts/check-size.mjs
    sourcemap: false,
    target: 'es2022',
  },
  server: {
    proxy: {
      '/api': {
        target,
        ws: true, // pod logs and terminal
        changeOrigin: true,
        configure: (proxy) => {
          proxy.on('proxyReq', (req) => {
            if (req.getHeader('origin')) req.setHeader('origin', target);
          });
          proxy.on('proxyReqWs', (req) => {
            req.setHeader('origin', target);
          });
        },
      },
      '/healthz': { target, changeOrigin: true },
    },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}', 'scripts/**/*.test.mjs'],
    restoreMocks: true,
  },
});
