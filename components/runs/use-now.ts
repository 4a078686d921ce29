'use client';

import { useEffect, useState } from 'react';

/** The current time, ticking every `intervalMs` while `ticking` (for bars of work still going). */
export function useNow(ticking: boolean, intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return;
    const id = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(id);
  }, [ticking, intervalMs]);
  return now;
}
