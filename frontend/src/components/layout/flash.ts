/**
 * A one-line message that outlives a navigation ("Password changed."): set before navigating,
 * shown by the layout of the next page until dismissed or replaced.
 */
import { useSyncExternalStore } from "react";

let message: string | null = null;
const listeners = new Set<() => void>();

export function setFlash(next: string | null): void {
  message = next;
  for (const listener of listeners) listener();
}

export function useFlash(): string | null {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => message,
  );
}
