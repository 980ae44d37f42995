import { useEffect, useRef, useState } from 'react';
import type { TopLevelSpec } from 'vega-lite';

type Embed = (typeof import('vega-embed'))['default'];
let loading: Promise<Embed> | null = null;
// Vega is big: it loads on the first chart, so the table page stays light.
const loadEmbed = (): Promise<Embed> => (loading ??= import('vega-embed').then((m) => m.default));

export function VegaChart({ spec, points }: { spec: TopLevelSpec; points: number }) {
  const ref = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    let finalize: (() => void) | undefined;
    loadEmbed()
      .then(async (embed) => {
        const el = ref.current;
        if (cancelled || !el) return;
        const result = await embed(el, spec, {
          actions: false,
          // SVG is crisper; past a few thousand points canvas keeps hovering smooth.
          renderer: points > 4000 ? 'canvas' : 'svg',
          tooltip: { theme: 'light' },
        });
        if (cancelled) result.finalize();
        else finalize = () => result.finalize();
        setError(null);
      })
      .catch((err: unknown) => {
        if (!cancelled) setError(err instanceof Error ? err.message : String(err));
      });
    return () => {
      cancelled = true;
      finalize?.();
    };
  }, [spec, points]);

  return (
    <>
      {error !== null && <div className="plot-error">Could not draw this plot: {error}</div>}
      <div className="vega-chart" ref={ref} />
    </>
  );
}
