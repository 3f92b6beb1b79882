import { defineConfig } from 'vite';

// `vite build ui`: this folder is the root; the bundle goes to dist/ui, which the registry
// serves at `/` (src/registry/http/web-ui.ts).
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../dist/ui',
    emptyOutDir: true,
    // One entry chunk for evergreen browsers: no preload polyfill to inline.
    modulePreload: { polyfill: false },
  },
});
