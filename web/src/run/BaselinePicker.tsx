import type { BaselineChoice, RunSource } from './run-source.js';

interface Props {
  source: RunSource;
  choices: readonly BaselineChoice[];
  onChange: (source: RunSource) => void;
}

const GROUPS = ['Branches', 'Tags', 'Commits'] as const;

/**
 * The Run drawer's first line: which commit the run starts from, named, and a picker to start
 * from another branch, tag or commit instead.
 */
export function BaselinePicker({ source, choices, onChange }: Props) {
  // The source may be none of the choices (an experiment's result commit, a sweep's baseline).
  // A commit with a branch shows as that branch (the first option of its rev).
  const listed = choices.some((c) => c.rev === source.rev);
  return (
    <div className="run-baseline">
      <label htmlFor="run-baseline-select">Baseline</label>
      <select
        id="run-baseline-select"
        value={source.rev}
        onChange={(e) => {
          const label = e.target.selectedOptions[0]?.dataset.label;
          if (label !== undefined) onChange({ rev: e.target.value, label });
        }}
        title="The commit this run starts from: its params, data and code"
      >
        {!listed && (
          <option value={source.rev} data-label={source.label}>
            {source.label}
          </option>
        )}
        {GROUPS.map((g) => {
          const items = choices.filter((c) => c.group === g);
          if (items.length === 0) return null;
          return (
            <optgroup key={g} label={g}>
              {items.map((c) => (
                <option key={`${c.rev} ${c.label}`} value={c.rev} data-label={c.label}>
                  {g === 'Commits' ? `${c.rev.slice(0, 7)} ${c.label}` : `${c.label} (${c.rev.slice(0, 7)})`}
                </option>
              ))}
            </optgroup>
          );
        })}
      </select>
    </div>
  );
}
