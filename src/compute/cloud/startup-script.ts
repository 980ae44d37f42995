import { shellQuote } from '../ssh/connect.js';

export interface StartupScriptOptions {
  /** `kubernetes`: a Job's container, which has no interruption notice and ends by exiting. */
  cloud: 'aws' | 'gcp' | 'azure' | 'kubernetes';
  /** The Kiln server as seen from the VM. */
  url: string;
  /**
   * The agent token for this machine (revoked when it terminates); null when the environment
   * already holds it as `KILN_TOKEN` (a Kubernetes Secret reference), so it is never in the spec.
   */
  token: string | null;
  /**
   * `token` is a one-time bootstrap token: the script trades it at boot for the agent's own
   * (`POST /api/agents/exchange`), so the one in the user data is dead from then on, and revokes
   * the agent's token before the machine powers off.
   */
  exchange?: boolean;
  /** Seconds the agent may sit without a job before the VM powers off. */
  idleTimeoutSec: number;
  /** Metadata endpoint base; the link-local address on real clouds, a stand-in in tests. */
  metadata?: string;
  /** `shutdown -h now` on real VMs; tests replace it. */
  poweroff?: string;
  /** Where Node.js is downloaded from when the image has none (or one older than 20). */
  nodeDist?: string;
}

/** The Node.js a bare image gets: the agent needs 20.19 or newer. */
export const NODE_VERSION = 'v20.19.0';

/**
 * The script a VM runs at boot: trades its bootstrap token for an agent token (when
 * `exchange`), fetches the agent from the Kiln server with it, starts it, watches the provider's interruption notice (EC2 instance-action, GCP preempted, Azure
 * Preempt scheduled event) and stops the agent on one so its job is saved and re-queued, and
 * powers the machine off when the agent exits or the idle timeout passes, revoking its token
 * first.
 */
export function startupScript(o: StartupScriptOptions): string {
  const md = o.metadata ?? 'http://169.254.169.254';
  const notice = {
    // IMDSv2 (required on current instances): a session token first, then the notice with it.
    aws: `curl -fsS -m 2 -H "X-aws-ec2-metadata-token: $(curl -fsS -m 2 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' "$MD/latest/api/token" 2>/dev/null)" "$MD/latest/meta-data/spot/instance-action" >/dev/null 2>&1`,
    gcp: `[ "$(curl -fsS -m 2 -H 'Metadata-Flavor: Google' "$MD/computeMetadata/v1/instance/preempted" 2>/dev/null)" = TRUE ]`,
    azure: `curl -fsS -m 2 -H 'Metadata: true' "$MD/metadata/scheduledevents?api-version=2020-07-01" 2>/dev/null | grep -q '"EventType": *"Preempt"'`,
    kubernetes: 'false',
  }[o.cloud];
  // Seconds between the notice and the reclaim: EC2 warns 2 minutes ahead, GCP and Azure 30 s.
  const grace = { aws: 90, gcp: 25, azure: 25, kubernetes: 0 }[o.cloud];
  return [
    '#!/bin/bash',
    'set -euo pipefail',
    `KILN_URL=${shellQuote(o.url)}`,
    o.token === null
      ? ': "${KILN_TOKEN:?the agent token is missing}"; export KILN_TOKEN'
      : o.exchange
        ? `KILN_BOOTSTRAP=${shellQuote(o.token)}`
        : `KILN_TOKEN=${shellQuote(o.token)}; export KILN_TOKEN`,
    `MD=${shellQuote(md)}`,
    `IDLE=${o.idleTimeoutSec}`,
    `POWEROFF=${shellQuote(o.poweroff ?? 'shutdown -h now')}`,
    `NODE_DIST=${shellQuote(o.nodeDist ?? 'https://nodejs.org/dist')}`,
    `NODE_VERSION=${NODE_VERSION}`,
    'DIR="${KILN_DIR:-/opt/kiln}"; mkdir -p "$DIR"; cd "$DIR"',
    // The machine's agent token dies with it, even if the server never hears of its end.
    o.exchange
      ? 'revoke() { [ -z "${KILN_TOKEN:-}" ] || curl -fsS -m 10 -X POST -H "Authorization: token $KILN_TOKEN" "$KILN_URL/api/agents/revoke" >/dev/null 2>&1 || true; }'
      : 'revoke() { :; }',
    'fail() { echo "kiln: $1" >&2; echo failed >status; revoke; eval "$POWEROFF"; exit 1; }',
    ...(o.exchange
      ? [
          // First thing: the bootstrap token in the user data is spent once this returns.
          'resp=$(curl -fsS -m 30 --retry 5 --retry-connrefused -X POST -H "Authorization: token $KILN_BOOTSTRAP" "$KILN_URL/api/agents/exchange") || fail "could not exchange the bootstrap token at $KILN_URL"',
          // Plain bash, no JSON tool on a bare image: the token is base64url, never quoted.
          `t=\${resp#*'"token":"'}; [ "$t" != "$resp" ] || fail "the server sent no agent token"`,
          `KILN_TOKEN=\${t%%'"'*}; unset KILN_BOOTSTRAP resp t`,
          '[ -n "$KILN_TOKEN" ] || fail "the server sent no agent token"; export KILN_TOKEN',
        ]
      : []),
    // Stock images (Debian, Ubuntu, Amazon Linux) have no Node 20: fetch the official build.
    "major=$(node -p 'parseInt(process.versions.node)' 2>/dev/null || echo 0)",
    'if [ "$major" -lt 20 ]; then',
    '  case "$(uname -m)" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; *) fail "no Node.js build for $(uname -m)" ;; esac',
    '  curl -fsSL "$NODE_DIST/$NODE_VERSION/node-$NODE_VERSION-linux-$arch.tar.gz" -o node.tar.gz || fail "could not download Node.js"',
    '  mkdir -p node && tar -xzf node.tar.gz -C node --strip-components=1 || fail "could not unpack Node.js"',
    '  PATH="$DIR/node/bin:$PATH"; export PATH',
    'fi',
    // The agent clones with git.
    'if ! command -v git >/dev/null; then',
    '  if command -v apt-get >/dev/null; then DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq git >/dev/null',
    '  elif command -v dnf >/dev/null; then dnf install -y -q git',
    '  elif command -v yum >/dev/null; then yum install -y -q git; fi || true',
    '  command -v git >/dev/null || fail "no git on this image and none could be installed"',
    'fi',
    'curl -fsS -H "Authorization: token $KILN_TOKEN" "$KILN_URL/api/compute/agent.mjs" -o agent.mjs || fail "could not fetch the agent from $KILN_URL"',
    ...(o.cloud === 'kubernetes'
      ? []
      : [`KILN_PREEMPTION=${o.cloud}; KILN_METADATA_URL="$MD"; export KILN_PREEMPTION KILN_METADATA_URL`]),
    // The agent leaves by itself after the idle timeout, between two claims; the script's own
    // check below is the fallback for an agent that does not.
    'KILN_IDLE_TIMEOUT="$IDLE" node agent.mjs --url "$KILN_URL" --work "$DIR/work" >>agent.log 2>&1 &',
    'AGENT=$!',
    'echo "$AGENT" >agent.pid',
    'idle_since=$(date +%s)',
    'while kill -0 "$AGENT" 2>/dev/null; do',
    // The agent watches the same notice and checkpoints its run: give it the provider's warning time.
    `  if ${notice}; then echo interrupted >status; end=$(( $(date +%s) + ${grace} ));`,
    '    while [ -n "$(ls -A work 2>/dev/null)" ] && [ "$(date +%s)" -lt "$end" ] && kill -0 "$AGENT" 2>/dev/null; do sleep 1; done',
    '    kill -TERM "$AGENT" 2>/dev/null || true; wait "$AGENT" || true; break; fi',
    '  if [ -n "$(ls -A work 2>/dev/null)" ]; then idle_since=$(date +%s); fi',
    '  if [ $(( $(date +%s) - idle_since )) -ge $(( IDLE + 10 )) ]; then echo idle >status; kill -TERM "$AGENT"; wait "$AGENT" || true; break; fi',
    '  sleep 1',
    'done',
    '[ -f status ] || echo exited >status',
    'revoke',
    'eval "$POWEROFF"',
    '',
  ].join('\n');
}
