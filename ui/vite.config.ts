import { defineConfig } from 'vite';
import { uiPages } from './pages';

/**
 * One multi-page build of every page in `pages.ts` into `dist/`, assets shared under
 * `dist/assets/`. Local mode runs it (local/ui.ts) when the build is missing or stale.
 */
export default defineConfig({
  // Relative URLs: the same build works below any path (local mode, a CDN, a subfolder).
  base: './',
  // Preact's JSX runtime without a plugin: Vite's own transform, told where the runtime is.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No `data:` URLs: the pages' Content-Security-Policy allows their own origin only.
    assetsInlineLimit: 0,
    // Every browser the pages are for has module preload; the polyfill would be dead weight.
    modulePreload: { polyfill: false },
    rolldownOptions: {
      input: Object.fromEntries(Object.entries(uiPages).map(([name, page]) => [name, page.html])),
    },
  },
});
