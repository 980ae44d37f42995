/**
 * Readable action names for the routes that change state, and which named fields of the request
 * (and response) are safe to keep. Nothing else of a body is ever stored: a body may hold
 * passwords, credentials or tokens.
 */
export interface ActionRule {
  method: string;
  /** Matches the route's declared URL pattern (e.g. `/api/projects/:name/experiments`). */
  url: RegExp;
  action: string;
  /** Path parameter naming what was acted on. */
  targetParam?: string;
  /** Body fields naming what was acted on (the first present) when no parameter does. */
  targetBody?: string;
  /** Safe, short body fields to keep in the detail. */
  bodyFields?: readonly string[];
  /** Safe response fields to keep (e.g. a created token's id, never the token). */
  responseFields?: readonly string[];
  /** Record only outcomes other than ok (frequent, machine-made requests). */
  onlyFailures?: boolean;
  /** Never record (requests that change nothing a person would audit, or recorded explicitly). */
  skip?: boolean;
}

const P = '/api/projects/:name';
const exact = (s: string) => new RegExp(`^${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

export const ACTION_RULES: readonly ActionRule[] = [
  { method: 'POST', url: exact('/api/auth/login'), action: 'signin' },
  { method: 'POST', url: exact('/api/auth/logout'), action: 'signout' },
  {
    method: 'POST',
    url: exact('/api/tokens'),
    action: 'token.created',
    bodyFields: ['name', 'scope', 'expires'],
    responseFields: ['id', 'name', 'scope'],
  },
  { method: 'DELETE', url: exact('/api/tokens/:id'), action: 'token.revoked', targetParam: 'id' },
  {
    method: 'POST',
    url: exact('/api/projects'),
    action: 'project.created',
    targetBody: 'name',
    bodyFields: ['name', 'team', 'subdir'],
  },
  { method: 'PATCH', url: exact(P), action: 'project.settings' },
  { method: 'DELETE', url: exact(P), action: 'project.deleted' },
  { method: 'POST', url: exact(`${P}/reload`), action: 'project.reloaded' },
  {
    method: 'POST',
    url: exact(`${P}/experiments`),
    action: 'run.queued',
    targetBody: 'name',
    bodyFields: ['rev', 'name', 'target'],
  },
  {
    method: 'PATCH',
    url: exact(`${P}/experiments/:exp`),
    action: 'run.priority',
    targetParam: 'exp',
    bodyFields: ['priority'],
  },
  { method: 'POST', url: exact(`${P}/experiments/:exp/cancel`), action: 'run.cancelled', targetParam: 'exp' },
  {
    method: 'POST',
    url: exact(`${P}/experiments/:exp/run-again`),
    action: 'run.queued',
    targetParam: 'exp',
    bodyFields: ['name'],
  },
  {
    method: 'POST',
    url: exact(`${P}/experiments/:exp/branch`),
    action: 'branch.created',
    targetParam: 'exp',
    bodyFields: ['branch', 'push'],
  },
  {
    method: 'POST',
    url: exact(`${P}/experiments/:exp/pull-request`),
    action: 'pr.opened',
    targetParam: 'exp',
  },
  {
    method: 'POST',
    url: exact(`${P}/ci-commits`),
    action: 'ci.commit',
    bodyFields: ['rev', 'branch'],
    responseFields: ['rev', 'branch'],
  },
  { method: 'PUT', url: exact(`${P}/ci/webhook`), action: 'project.webhook' },
  { method: 'POST', url: exact(`${P}/uploads`), action: 'upload.added' },
  { method: 'DELETE', url: exact(`${P}/live/:id`), action: 'live.deleted', targetParam: 'id' },
  { method: 'PUT', url: exact('/api/ci/settings'), action: 'ci.settings' },
  {
    method: 'POST',
    url: exact('/api/compute/credentials'),
    action: 'credential.added',
    targetBody: 'name',
    bodyFields: ['name'],
  },
  {
    method: 'DELETE',
    url: exact('/api/compute/credentials/:name'),
    action: 'credential.removed',
    targetParam: 'name',
  },
  {
    method: 'POST',
    url: exact('/api/compute/profiles'),
    action: 'profile.created',
    targetBody: 'name',
    bodyFields: ['name', 'kind'],
  },
  { method: 'PUT', url: /^\/api\/compute\/profiles\/:name$/, action: 'profile.changed', targetParam: 'name' },
  {
    method: 'PATCH',
    url: /^\/api\/compute\/profiles\/:name/,
    action: 'profile.changed',
    targetParam: 'name',
  },
  {
    method: 'DELETE',
    url: exact('/api/compute/profiles/:name'),
    action: 'profile.removed',
    targetParam: 'name',
  },
  {
    method: 'PUT',
    url: exact('/api/compute/profiles/:name/teams'),
    action: 'profile.teams',
    targetParam: 'name',
  },
  { method: 'PUT', url: exact('/api/compute/local'), action: 'compute.local', bodyFields: ['concurrency'] },
  {
    method: 'POST',
    url: exact('/api/agents/tokens'),
    action: 'token.created',
    responseFields: ['id'],
  },
  // Asking what a profile resolves to, or for a workflow's text, changes nothing.
  { method: 'POST', url: exact('/api/compute/resolve'), action: 'compute.resolve', skip: true },
  { method: 'POST', url: exact('/api/ci/workflow'), action: 'ci.workflow', skip: true },
  // Agents and training code call these many times a minute: only refusals are worth a record.
  { method: 'POST', url: exact('/api/agent'), action: 'agent.message', onlyFailures: true },
  { method: 'POST', url: exact('/api/agents/exchange'), action: 'agent.exchange', onlyFailures: true },
  { method: 'POST', url: exact('/api/agents/revoke'), action: 'agent.revoked', onlyFailures: true },
  { method: 'POST', url: exact('/api/live'), action: 'live.post', onlyFailures: true },
  { method: 'POST', url: exact('/webhook/dvc'), action: 'dvc.push' },
  { method: 'POST', url: exact('/webhook/:forge'), action: 'webhook.forge', onlyFailures: true },
  // Device login: starting and polling are anonymous and frequent; approval and the token it
  // yields are recorded by the device-login routes themselves.
  { method: 'POST', url: exact('/api/device-login'), action: 'device.started', onlyFailures: true },
  { method: 'POST', url: /^\/api\/device-login\/token/, action: 'device.token', onlyFailures: true },
  // Teams, members and invites (named by pattern so routes added later are named too).
  { method: 'POST', url: /^\/api\/teams$/, action: 'team.created', targetBody: 'name', bodyFields: ['name'] },
  { method: 'DELETE', url: /^\/api\/teams\/:[a-z]+$/, action: 'team.deleted', targetParam: 'team' },
  {
    method: 'PUT',
    url: /^\/api\/teams\/:[a-z]+\/cap$/,
    action: 'team.cap',
    targetParam: 'team',
    bodyFields: ['monthlyCapUsd'],
  },
  { method: 'PATCH', url: /^\/api\/teams\/:[a-z]+$/, action: 'team.settings', targetParam: 'team' },
  {
    method: 'DELETE',
    url: /\/members\/:[a-z]+$/,
    action: 'member.removed',
    targetParam: 'user',
  },
  { method: '*', url: /\/members/, action: 'member.role', bodyFields: ['user', 'role'], targetParam: 'user' },
  { method: 'POST', url: /^\/api\/invites$/, action: 'invite.created', bodyFields: ['name', 'team', 'role'] },
  { method: 'DELETE', url: /^\/api\/invites\//, action: 'invite.revoked', targetParam: 'id' },
  { method: 'POST', url: /^\/api\/invites\/.*accept/, action: 'invite.accepted' },
  { method: '*', url: /^\/api\/(sso|auth\/providers)/, action: 'sso.settings' },
  { method: '*', url: /^\/api\/(admin\/)?users/, action: 'user.changed', targetParam: 'name' },
];

/** The rule for a request, or a generic name built from the route so nothing goes unrecorded. */
export function ruleFor(method: string, url: string): ActionRule {
  const found = ACTION_RULES.find((r) => (r.method === method || r.method === '*') && r.url.test(url));
  if (found) return found;
  const words = url
    .replace(/^\/api\//, '')
    .split('/')
    .filter((w) => w && !w.startsWith(':'));
  return { method, url: exact(url), action: `${words.join('.') || 'request'}.${method.toLowerCase()}` };
}
