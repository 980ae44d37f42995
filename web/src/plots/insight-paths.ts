const p = (name: string): string => `/projects/${encodeURIComponent(name)}`;

export function comparePath(project: string, revs: readonly string[]): string {
  const q = new URLSearchParams();
  for (const r of revs) q.append('rev', r);
  return `${p(project)}/compare?${q.toString()}`;
}
export const trendsPath = (project: string): string => `${p(project)}/trends`;
export const ciWizardPath = (project: string | null): string =>
  project === null ? '/ci' : `/ci?project=${encodeURIComponent(project)}`;
