import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The dashboard and the local GraphiQL, built to apps/dashboard/dist and served by the api under
 * /dashboard (apps/api/src/dashboard). Every asset is bundled: a closed network fetches nothing
 * from the internet.
 */
export default defineConfig({
  root,
  base: '/dashboard/',
  // JSX with React's automatic runtime (no React import in every component).
  oxc: { jsx: { runtime: 'automatic' } },
  // `npx vite --config apps/dashboard/vite.config.ts`: the pages with reload, the api of `npm start` behind them.
  server: { proxy: { '/graphql': { target: 'http://localhost:3000', ws: true } } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // GraphiQL's editor (Monaco) is large; it loads only on /graphql, never with the dashboard.
    chunkSizeWarningLimit: 5000,
    rollupOptions: {
      input: { dashboard: `${root}index.html`, graphiql: `${root}graphiql.html` },
      // GraphiQL's dependencies mark React Server Components ('use client'); a browser bundle ignores them.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
});
