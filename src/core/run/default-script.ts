export interface StageCommand {
  name: string;
  /** The stage's working directory relative to the project directory. */
  wdir: string;
  cmds: string[];
}

function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The default job script, run with `bash -e` in the project directory. Tools are chosen at run
 * time (DVC when installed, else Kiln's pipeline runner, else the stage commands in dvc.yaml
 * order), so one script works on every machine.
 */
export function defaultScript(stages: readonly StageCommand[]): string {
  const fallback = stages.length
    ? stages
        .map(
          (s) =>
            `  echo "kiln: stage ${s.name.replace(/["$`\\]/g, '')}"\n` +
            s.cmds.map((c) => `  (cd ${shQuote(s.wdir || '.')} && ${c})`).join('\n'),
        )
        .join('\n')
    : '  echo "kiln: dvc.yaml has no stages to run"';
  return `# Kiln's default job script: bash -e in the project directory.
echo "kiln: experiment $DVC_EXP_NAME from \${DVC_EXP_BASELINE_REV:0:7}"

# 1. Python packages, when requirements.txt names any.
if [ -f requirements.txt ] && grep -qvE '^[[:space:]]*(#|$)' requirements.txt; then
  python3 -m venv .venv
  . .venv/bin/activate
  pip install --quiet -r requirements.txt
fi

# KILN_PIPELINE is set by the agent when its kiln has the pipeline command; checked once.
KILN_HAS_PIPELINE=""
if [ -n "$KILN_PIPELINE" ] && [ -n "$KILN_CLI" ] && node "$KILN_CLI" --help 2>/dev/null | grep -q '^  pipeline'; then
  KILN_HAS_PIPELINE=1
fi
kiln_has_pipeline() { [ -n "$KILN_HAS_PIPELINE" ]; }

# 2. The pipeline (the agent pulled the DVC-tracked inputs when it prepared the workspace).
if command -v dvc >/dev/null 2>&1; then
  dvc exp run
elif kiln_has_pipeline; then
  node "$KILN_CLI" pipeline run
else
${fallback}
fi
`;
}
