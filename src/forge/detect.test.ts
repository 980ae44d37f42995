import { describe, expect, it } from 'vitest';
import { detectForge, repoKey } from './detect.js';

describe('forge detection from the remote URL', () => {
  it('knows the public forges over https and ssh', () => {
    expect(detectForge('https://github.com/octo/hello.git')).toMatchObject({
      kind: 'github',
      apiUrl: 'https://api.github.com',
      webUrl: 'https://github.com/octo/hello',
      repo: { owner: 'octo', name: 'hello' },
    });
    expect(detectForge('git@gitlab.com:group/sub/ml.git')).toMatchObject({
      kind: 'gitlab',
      apiUrl: 'https://gitlab.com',
      repo: { owner: 'group/sub', name: 'ml' },
    });
    expect(detectForge('ssh://git@bitbucket.org/team/ml.git')).toMatchObject({
      kind: 'bitbucket',
      apiUrl: 'https://api.bitbucket.org/2.0',
    });
    expect(detectForge('https://codeberg.org/ann/ml')).toMatchObject({
      kind: 'gitea',
      apiUrl: 'https://codeberg.org/api/v1',
    });
  });

  it('uses configured hosts for GitHub Enterprise, self-hosted GitLab and Gitea', () => {
    const hosts = [
      { host: 'ghe.corp', kind: 'github' as const },
      { host: 'git.corp', kind: 'gitlab' as const, apiUrl: 'https://git.corp/' },
      { host: 'tea.local:3000', kind: 'gitea' as const },
    ];
    expect(detectForge('https://ghe.corp/team/ml.git', hosts)).toMatchObject({
      kind: 'github',
      apiUrl: 'https://ghe.corp/api/v3',
    });
    expect(detectForge('git@git.corp:team/ml.git', hosts)).toMatchObject({
      kind: 'gitlab',
      apiUrl: 'https://git.corp',
    });
    expect(detectForge('http://tea.local:3000/ann/ml.git', hosts)).toMatchObject({
      kind: 'gitea',
      apiUrl: 'http://tea.local:3000/api/v1',
    });
  });

  it('treats local paths, file URLs and unknown hosts as plain Git', () => {
    expect(detectForge('/srv/git/ml.git').kind).toBe('git');
    expect(detectForge('file:///srv/git/ml.git').kind).toBe('git');
    expect(detectForge('https://git.example.org/ml.git').kind).toBe('git');
  });

  it('one key for the https and ssh remotes of a repository', () => {
    expect(repoKey('https://github.com/Octo/Hello.git')).toBe(repoKey('git@github.com:octo/hello'));
    expect(repoKey('/local/path')).toBeNull();
  });
});
