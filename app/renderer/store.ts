/**
 * A tiny observable store for state that must outlive a screen: a training run or a batch keeps going (and
 * keeps receiving events) while the user looks at another screen.
 */
import { useEffect, useState } from 'preact/hooks';

export interface Store<T> {
  get(): T;
  update(change: (state: T) => T): void;
  subscribe(listener: (state: T) => void): () => void;
}

export function createStore<T>(initial: T): Store<T> {
  let state = initial;
  const listeners = new Set<(state: T) => void>();
  return {
    get: () => state,
    update(change) {
      state = change(state);
      for (const listener of listeners) listener(state);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The store's current state, re-rendering the component on every change. */
export function useStore<T>(store: Store<T>): T {
  const [state, setState] = useState(store.get());
  useEffect(() => store.subscribe(setState), [store]);
  return state;
}
