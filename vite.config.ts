import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

const apiPort = process.env.VIGIL_API_PORT ?? '8080';

export default defineConfig({
  plugins: [sveltekit()],
  server: {
    proxy: {
      '/api': {
        target: `http://127.0.0.1:${apiPort}`,
        changeOrigin: false,
      },
    },
  },
  ssr: {
    // SvelteKit's server runtime (used at build time to analyse routes and write the SPA
    // fallback) imports `cookie` 0.6 from its own node_modules; the root node_modules holds
    // cookie 2 (for @fastify/cookie), which lacks `parse`/`serialize`. Bundling it into the
    // server output makes Vite resolve it next to SvelteKit, so the build uses the right copy.
    noExternal: ['cookie'],
  },
  build: {
    chunkSizeWarningLimit: 1500,
  },
});
