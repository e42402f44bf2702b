// The token lives in sessionStorage only: it leaves with the tab, and never enters an address or a log.
const STORAGE_KEY = "px.token";

export const API_URL = __PX_API_URL__;

/** `/app#token=…` (the first start's link) signs in; the fragment leaves the address bar at once. */
export function takeTokenFromAddress(): void {
  const match = /^#token=([^&]+)/.exec(window.location.hash);
  if (!match) return;
  window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
  try {
    storeToken(decodeURIComponent(match[1]));
  } catch {
    // A malformed escape is no token: the sign-in form says so when nothing works.
  }
}

export const storedToken = (): string | null => sessionStorage.getItem(STORAGE_KEY);
export const storeToken = (token: string): void => sessionStorage.setItem(STORAGE_KEY, token);
export const forgetToken = (): void => sessionStorage.removeItem(STORAGE_KEY);
