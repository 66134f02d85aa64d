import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The admin gateway serves dist/ under / on the admin port; `npm run dev` proxies the API to a local Run.
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Fluent UI and Chart.js make one large vendor chunk; it is served from the same origin, so the warning only adds noise.
    chunkSizeWarningLimit: 2048,
  },
  server: {
    proxy: {
      '/v1.0': 'http://127.0.0.1:5080',
      '/admin-center': 'http://127.0.0.1:5080',
    },
  },
});
