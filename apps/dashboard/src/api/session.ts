/**
 * The signed-in key lives in sessionStorage: it survives a reload of the tab and is gone when
 * the tab closes. It is sent as `Authorization: Bearer <key>` (an API key or a JWT).
 */
const KEY = 'apl.dashboard.key';

export function storedKey(): string | null {
  try {
    return window.sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function storeKey(key: string | null): void {
  if (key) window.sessionStorage.setItem(KEY, key);
  else window.sessionStorage.removeItem(KEY);
}
