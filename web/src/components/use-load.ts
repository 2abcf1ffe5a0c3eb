import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api/client';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  reload(): void;
}

/** Runs `load` whenever `deps` change (and on reload()); a newer run wins over a slower older one. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let current = true;
    setLoading(true);
    load().then(
      (value) => { if (current) { setData(value); setError(null); setLoading(false); } },
      (failure: unknown) => { if (current) { setError(errorMessage(failure)); setLoading(false); } },
    );
    return () => { current = false; };
  }, [...deps, generation]);
  return { data, error, loading, reload: () => setGeneration((n) => n + 1) };
}
