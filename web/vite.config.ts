import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `vite build web`: the inspector builds into web/dist, which `stator serve`
// serves at `/` (src/server/static.ts). Everything is bundled: no CDN, no
// remote fonts.
export default defineConfig(({ command }) => {
  // A build is always the production one, even when started from a process
  // whose NODE_ENV says otherwise: vitest sets `test`, which would bundle
  // React's development build and the development JSX runtime.
  if (command === 'build') process.env.NODE_ENV = 'production';
  return config;
});

const config = {
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // elkjs is ~1.5 MB minified; it is one chunk, loaded with the first chart.
    chunkSizeWarningLimit: 2000,
    // Keep every asset a file: the CSP allows no data: scripts or styles.
    assetsInlineLimit: 0,
  },
  server: { proxy: { '/v1': 'http://127.0.0.1:8080', '/openapi.json': 'http://127.0.0.1:8080' } },
};
