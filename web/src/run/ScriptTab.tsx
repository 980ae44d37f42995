interface Props {
  script: string | null;
  defaultScript: string;
  onScript: (s: string | null) => void;
}

export function ScriptTab({ script, defaultScript, onScript }: Props) {
  const value = script ?? defaultScript;
  const edited = script !== null && script !== defaultScript;
  return (
    <div className="run-script">
      <div className="run-tab-bar">
        <span className="muted">
          Runs with <code>bash -e</code> in the experiment’s workspace; Kiln commits and pushes the results
          after it.
        </span>
        {edited && <span className="run-edited">edited</span>}
        <button className="btn btn-sm" disabled={!edited} onClick={() => onScript(null)}>
          Reset to default
        </button>
      </div>
      <textarea
        className="run-script-text mono"
        aria-label="Job script"
        spellCheck={false}
        value={value}
        onChange={(e) => onScript(e.target.value)}
      />
    </div>
  );
}
