/**
 * The browser UI's pages: one Vite build entry each, and where local mode serves it. The inbox is
 * the developer's page; the portal is the platform's customers' (served by the stack too).
 */
export const uiPages = {
  inbox: { html: 'inbox/index.html', path: '/inbox' },
  portal: { html: 'portal/index.html', path: '/portal' },
} as const;

export type UiPage = keyof typeof uiPages;
