import type { ImageGroup } from './images.js';

export function ImageGrid({ groups, colors }: { groups: ImageGroup[]; colors: ReadonlyMap<string, string> }) {
  return (
    <>
      {groups.map((g) => (
        <figure key={g.name} className="plot-card plot-card-wide">
          <figcaption className="plot-head">
            <span className="plot-title">{g.name}</span>
            <span className="plot-template">images</span>
          </figcaption>
          <div
            className="image-grid"
            style={{
              gridTemplateColumns: `56px repeat(${String(g.rows[0]?.cells.length ?? 1)}, minmax(120px, 1fr))`,
            }}
          >
            <div />
            {g.rows[0]?.cells.map((c) => (
              <div key={c.exp} className="image-exp">
                <i style={{ background: colors.get(c.exp) }} />
                {c.exp}
              </div>
            ))}
            {g.rows.map((r) => (
              <div key={String(r.step)} className="image-row">
                <div className="image-step mono">{r.step === null ? '' : `step ${String(r.step)}`}</div>
                {r.cells.map((c) =>
                  c.image ? (
                    <img
                      key={c.exp}
                      src={`data:${c.image.mime};base64,${c.image.base64}`}
                      alt={`${g.name} of ${c.exp}${r.step === null ? '' : ` at step ${String(r.step)}`}`}
                      loading="lazy"
                    />
                  ) : (
                    <div key={c.exp} className="image-missing">
                      —
                    </div>
                  ),
                )}
              </div>
            ))}
          </div>
        </figure>
      ))}
    </>
  );
}
