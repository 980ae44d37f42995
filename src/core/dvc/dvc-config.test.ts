import { describe, expect, it } from 'vitest';
import { defaultRemote, mergeDvcConfig, parseDvcConfig } from './dvc-config.js';
import { parseDvcFile, serializeDvcFile } from './dvc-file.js';

describe('.dvc/config', () => {
  it('reads remotes, the default remote and config.local overrides', () => {
    const base = parseDvcConfig(
      '[core]\n    remote = storage\n[\'remote "storage"\']\n    url = /tmp/store\n[remote "s3"]\n    url = s3://b/p # comment\n',
    );
    const local = parseDvcConfig(
      '[remote "s3"]\n  endpointurl = http://localhost:9000\n[core]\n remote = s3\n',
      '.dvc/config.local',
    );
    if (!base.ok || !local.ok) throw new Error('parse');
    expect(defaultRemote(base.value)).toEqual({ name: 'storage', options: { url: '/tmp/store' } });
    expect(defaultRemote(mergeDvcConfig(base.value, local.value))).toEqual({
      name: 's3',
      options: { url: 's3://b/p', endpointurl: 'http://localhost:9000' },
    });
    expect(parseDvcConfig('url = x\n')).toEqual({
      ok: false,
      error: '.dvc/config:1: "url" is set before any [section]',
    });
    expect(parseDvcConfig('[core]\nnonsense\n')).toEqual({
      ok: false,
      error: '.dvc/config:2: expected "[section]" or "key = value", found "nonsense"',
    });
  });
});

describe('.dvc files', () => {
  it('round-trips a .dvc file and writes outs in DVC order', () => {
    const text =
      'outs:\n- md5: b90fb5526403ccb4c556db92e2cfe64d\n  size: 14279\n  hash: md5\n  path: data.xml\n';
    const r = parseDvcFile(text, 'data/data.xml.dvc');
    if (!r.ok) throw new Error(r.error);
    expect(serializeDvcFile(r.value)).toBe(text);
    const dir = serializeDvcFile({
      outs: [{ path: 'imgs', hash: 'md5', nfiles: 2, size: 10, md5: 'x.dir', cache: false }],
      rest: {},
      order: [],
    });
    expect(dir).toBe(
      'outs:\n- md5: x.dir\n  size: 10\n  nfiles: 2\n  hash: md5\n  path: imgs\n  cache: false\n',
    );
    expect(parseDvcFile('outs:\n- size: 1\n', 'a.dvc')).toEqual({
      ok: false,
      error: "a.dvc:2: at 'outs.0.path': expected a string, found nothing",
    });
  });
});
