import { useEffect, useState } from 'react';

export function Elapsed({ since }: { since: number }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, []);
  const s = Math.max(0, Math.round((now - since) / 1000));
  return (
    <span className="mono">
      {s < 60 ? `${String(s)}s` : `${String(Math.floor(s / 60))}m ${String(s % 60).padStart(2, '0')}s`}
    </span>
  );
}
