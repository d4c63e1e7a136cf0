import { useEffect, useState } from 'react';

/** Date.now(), refreshed every periodMs (for "3s ago" labels and staleness). */
export function useNow(periodMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), periodMs);
    return () => clearInterval(t);
  }, [periodMs]);
  return now;
}
