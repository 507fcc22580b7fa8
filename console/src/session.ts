/** The bearer token lives in sessionStorage: gone when the tab closes, never in a cookie. */
const KEY = 'stagegate.token';

export function readToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function clearToken(): void {
  sessionStorage.removeItem(KEY);
}
