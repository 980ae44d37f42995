import { ComputeName, type ComputeKind } from '../../../src/contracts/compute.js';
import { CREDENTIAL_KIND, PROFILE_FIELDS } from './profile-fields.js';
import { KIND_NAMES } from './secret-fields.js';

const NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * What is wrong with the Add-profile form, by field (`name` for the name), in words the person can
 * act on; empty when it may be sent. The server checks again; this only answers sooner, at the field.
 */
export function profileFormErrors(
  kind: ComputeKind,
  name: string,
  values: Readonly<Record<string, string>>,
  credentials: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  const n = ComputeName.safeParse(name.trim());
  if (!n.success) out.name = `The ${n.error.issues[0]?.message ?? 'name is not valid'}.`;
  for (const f of PROFILE_FIELDS[kind]) {
    const v = values[f.key]?.trim() ?? '';
    if (f.type === 'credential' && v === '') {
      const credKind = CREDENTIAL_KIND[kind];
      const what = credKind ? KIND_NAMES[credKind] : kind;
      const a = /^[AEIOS]/.test(what) ? 'an' : 'a';
      out[f.key] =
        credentials.length === 0
          ? `Add ${a} ${what} credential under Credentials first, then choose it here.`
          : `Choose the ${what} credential this profile uses.`;
    } else if (f.type === 'number' && v !== '' && !NUMBER.test(v)) {
      out[f.key] = `Enter a number${f.placeholder ? `, like ${f.placeholder}` : ''}.`;
    } else if (kind === 'ssh' && f.key === 'hosts' && v === '') {
      out[f.key] = 'Enter at least one host, like gpu1 or ubuntu@gpu2:2222.';
    }
  }
  return out;
}

/**
 * The field a server message is about ("invalid aws settings: diskGb must be at least 8", or
 * "…: hosts.0: host must be [user@]host[:port]") and the message in the field's own words, so it
 * shows at that field; undefined when it names no field of the form.
 */
export function serverFieldError(
  kind: ComputeKind,
  message: string,
): { field: string; message: string } | undefined {
  const m = /^invalid \w+ settings: ([A-Za-z]+)(?:\.[^\s:]*)?(:? )(.*)$/.exec(message);
  const field = PROFILE_FIELDS[kind].find((f) => f.key === m?.[1]);
  if (!m || !field || m[3] === undefined) return undefined;
  const text = `${field.label}${m[2] ?? ' '}${m[3]}`;
  return { field: field.key, message: /[.!?]$/.test(text) ? text : `${text}.` };
}
