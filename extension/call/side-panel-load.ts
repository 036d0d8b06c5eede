// The side panel's code (chat and files), one load shared by the page's start
// and CallPage: main.tsx starts the call only once it is here, so the panel
// listens before any link could carry a message, and the page still shows
// without parsing it first (the call page's budget, scripts/check-budgets.mjs).
let loading: Promise<typeof import('./SidePanel.tsx')> | undefined;

export const loadSidePanel = (): Promise<typeof import('./SidePanel.tsx')> => (loading ??= import('./SidePanel.tsx'));
