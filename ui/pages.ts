/**
 * The browser UI's pages: one Vite build entry each, and where local mode serves it. The inbox is
 * the first; the customer portal joins as a second entry.
 */
export const uiPages = {
  inbox: { html: 'inbox/index.html', path: '/inbox' },
} as const;

export type UiPage = keyof typeof uiPages;
