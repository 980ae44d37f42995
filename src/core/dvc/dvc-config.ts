/** `.dvc/config` and `.dvc/config.local`: configobj-style INI, as DVC reads it. */

export type IniSections = Record<string, Record<string, string>>;

export interface DvcConfig {
  core: Record<string, string>;
  /** remotes by name, with their options (url, endpointurl, region, …) */
  remotes: Record<string, Record<string, string>>;
  sections: IniSections;
}

export type DvcConfigResult = { ok: true; value: DvcConfig } | { ok: false; error: string };

function unquote(s: string): string {
  const t = s.trim();
  if (t.length >= 2 && (t[0] === '"' || t[0] === "'") && t[t.length - 1] === t[0]) return t.slice(1, -1);
  return t;
}

function stripComment(v: string): string {
  // configobj: an unquoted # starts a comment
  let q: string | null = null;
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (q !== null) {
      if (c === q) q = null;
    } else if (c === '"' || c === "'") q = c;
    else if (c === '#') return v.slice(0, i);
  }
  return v;
}

export function parseIni(
  text: string,
  file: string,
): { ok: true; value: IniSections } | { ok: false; error: string } {
  const sections: IniSections = {};
  let current: Record<string, string> | null = null;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const sec = /^\[(.*)\]\s*(?:#.*)?$/.exec(line);
    if (sec !== null) {
      const name = unquote(sec[1] ?? '');
      current = sections[name] ?? {};
      sections[name] = current;
      continue;
    }
    const kv = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (kv === null)
      return { ok: false, error: `${file}:${i + 1}: expected "[section]" or "key = value", found "${line}"` };
    if (current === null)
      return { ok: false, error: `${file}:${i + 1}: "${kv[1] ?? ''}" is set before any [section]` };
    current[(kv[1] ?? '').trim()] = unquote(stripComment(kv[2] ?? ''));
  }
  return { ok: true, value: sections };
}

export function dvcConfigFromSections(sections: IniSections): DvcConfig {
  const remotes: Record<string, Record<string, string>> = {};
  for (const [name, opts] of Object.entries(sections)) {
    const m = /^remote\s+"(.+)"$/.exec(name);
    if (m?.[1] !== undefined) remotes[m[1]] = { ...opts };
  }
  return { core: { ...(sections['core'] ?? {}) }, remotes, sections };
}

export function parseDvcConfig(text: string, file = '.dvc/config'): DvcConfigResult {
  const r = parseIni(text, file);
  return r.ok ? { ok: true, value: dvcConfigFromSections(r.value) } : r;
}

/** config.local overrides config key by key, section by section, as DVC merges levels. */
export function mergeDvcConfig(base: DvcConfig, local: DvcConfig): DvcConfig {
  const sections: IniSections = {};
  for (const [name, opts] of Object.entries(base.sections)) sections[name] = { ...opts };
  for (const [name, opts] of Object.entries(local.sections))
    sections[name] = { ...(sections[name] ?? {}), ...opts };
  return dvcConfigFromSections(sections);
}

export function defaultRemote(c: DvcConfig): { name: string; options: Record<string, string> } | undefined {
  const name = c.core['remote'];
  if (name === undefined) return undefined;
  const options = c.remotes[name];
  return options === undefined ? undefined : { name, options };
}
