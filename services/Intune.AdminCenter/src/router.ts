// Client routes on the History API; the gateway answers every non-API path with index.html.
import { useEffect, useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();
const subscribe = (listener: () => void) => {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
};

export function navigate(to: string) {
  if (to === location.pathname + location.search) return;
  history.pushState(null, '', to);
  listeners.forEach((l) => l());
}

export const usePath = () => useSyncExternalStore(subscribe, () => location.pathname);

export function useTitle(title: string) {
  useEffect(() => {
    document.title = `${title} - Intune admin center`;
  }, [title]);
}
