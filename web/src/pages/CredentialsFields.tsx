import type { GitCredentials } from '../../../src/contracts/api.js';

export type CredentialDraft =
  | { kind: 'none' }
  | { kind: 'https-token'; username: string; token: string }
  | { kind: 'ssh-key'; privateKey: string };

export function credentialsFromDraft(d: CredentialDraft): GitCredentials | undefined {
  switch (d.kind) {
    case 'none':
      return undefined;
    case 'https-token':
      return d.username.trim()
        ? { kind: d.kind, username: d.username.trim(), token: d.token }
        : { kind: d.kind, token: d.token };
    case 'ssh-key':
      return { kind: d.kind, privateKey: d.privateKey };
  }
}

export function CredentialsFields({
  value,
  onChange,
}: {
  value: CredentialDraft;
  onChange: (d: CredentialDraft) => void;
}) {
  return (
    <>
      <label className="field">
        <span>Credentials</span>
        <select
          value={value.kind}
          onChange={(e) => {
            const k = e.target.value;
            onChange(
              k === 'https-token'
                ? { kind: k, username: '', token: '' }
                : k === 'ssh-key'
                  ? { kind: k, privateKey: '' }
                  : { kind: 'none' },
            );
          }}
        >
          <option value="none">None (public or local repository)</option>
          <option value="https-token">HTTPS token</option>
          <option value="ssh-key">SSH private key</option>
        </select>
      </label>
      {value.kind === 'https-token' && (
        <div className="field-row">
          <label className="field">
            <span>Username (optional)</span>
            <input
              value={value.username}
              onChange={(e) => onChange({ ...value, username: e.target.value })}
            />
          </label>
          <label className="field grow">
            <span>Token</span>
            <input
              type="password"
              value={value.token}
              onChange={(e) => onChange({ ...value, token: e.target.value })}
            />
          </label>
        </div>
      )}
      {value.kind === 'ssh-key' && (
        <label className="field">
          <span>Private key</span>
          <textarea
            rows={4}
            className="mono"
            placeholder="-----BEGIN OPENSSH PRIVATE KEY-----"
            value={value.privateKey}
            onChange={(e) => onChange({ ...value, privateKey: e.target.value })}
          />
        </label>
      )}
      {value.kind !== 'none' && <p className="hint">Stored encrypted on the server and never shown again.</p>}
    </>
  );
}
