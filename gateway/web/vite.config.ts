/**
 * Builds the dashboard into dist/ with relative asset URLs (base './'), so the
 * gateway can serve it from any prefix. `npm run dev` proxies /api to a
 * gateway: NODELINK_GATEWAY=http://127.0.0.1:8080 npm run dev.
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const gateway = process.env['NODELINK_GATEWAY'] ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: { '/api': { target: gateway, changeOrigin: true } },
  },
});
