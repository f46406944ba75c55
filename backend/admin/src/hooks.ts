// Loading data with its states: loading, loaded, failed; optionally polled until settled.
import { useEffect, useState } from "preact/hooks";
import { api } from "./api";

export type Loaded<T> = { state: "loading" } | { state: "loaded"; data: T } | { state: "failed"; error: string };

export function useApi<T>(path: string, pollWhile?: (data: T) => boolean, intervalMs = 2000): Loaded<T> {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: "loading" });
  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const data = await api<T>(path);
        if (cancelled) return;
        setLoaded({ state: "loaded", data });
        if (pollWhile?.(data)) timer = setTimeout(load, intervalMs);
      } catch (error) {
        if (!cancelled) setLoaded({ state: "failed", error: (error as Error).message });
      }
    };
    load();
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [path]);
  return loaded;
}
