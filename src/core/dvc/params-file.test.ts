import { describe, expect, it } from 'vitest';
import { parseParamsFile, paramsFormat } from './params-file.js';

describe('parseParamsFile', () => {
  it('reads YAML and rejects a non-mapping top level', () => {
    expect(parseParamsFile('params.yaml', 'train:\n  lr: 0.1\n  layers: [1, 2]\n')).toEqual({
      ok: true,
      value: { train: { lr: 0.1, layers: [1, 2] } },
    });
    expect(parseParamsFile('p.yml', '')).toEqual({ ok: true, value: {} });
    const bad = parseParamsFile('params.yaml', '- a\n- b\n');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/^params\.yaml:1: expected a mapping/);
    const syntax = parseParamsFile('conf/params.yaml', 'a: 1\nb: [1, 2\nc: 3\n');
    expect(syntax.ok).toBe(false);
    if (!syntax.ok) expect(syntax.error).toMatch(/^conf\/params\.yaml:\d+: invalid YAML/);
  });

  it('reads JSON with a line on errors', () => {
    expect(parseParamsFile('m.json', '{"a": {"b": [1, true, null]}}')).toEqual({
      ok: true,
      value: { a: { b: [1, true, null] } },
    });
    const bad = parseParamsFile('m.json', '{\n"a": 1,\n}');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toBe('m.json:3: invalid JSON: expected a property name in double quotes');
    expect(parseParamsFile('m.json', '{\n  "a": 1\n  "b": 2\n}\n')).toEqual({
      ok: false,
      error: "m.json:3: invalid JSON: expected ',' or '}'",
    });
    expect(parseParamsFile('m.json', '[1]').ok).toBe(false);
  });

  it('reads TOML with dates as ISO strings', () => {
    const r = parseParamsFile(
      'p.toml',
      '[train]\nlr = 0.1\nwhen = 1979-05-27T07:32:00Z\n[train.opt]\nname = "adam"\n',
    );
    expect(r).toEqual({
      ok: true,
      value: { train: { lr: 0.1, when: '1979-05-27T07:32:00.000Z', opt: { name: 'adam' } } },
    });
    const bad = parseParamsFile('p.toml', 'a = 1\nb = \n');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/^p\.toml:2: invalid TOML/);
  });

  it('reads Python module assignments, classes and __init__ as DVC does', () => {
    const py = [
      'import os',
      '# a comment',
      'SEED = 42',
      'LR: float = 1e-3',
      'NAME = \'resnet\' "50"',
      'LAYERS = [64, 128,',
      '          256]  # trailing',
      'SHAPE = (1, 2)',
      'ONE = (3)',
      'NEG = -0.5',
      'FLAGS = {"a": True, "b": None, 3: False}',
      'COMPUTED = os.getenv("X")',
      'a = b = 1',
      'BIG = 1_000_000',
      'HEX = 0xff',
      'TEXT = """multi',
      'line"""',
      'ESC = "a\\tb\\n"',
      'RAW = r"a\\tb"',
      '',
      'class Train:',
      '    epochs = 10',
      '    opt = {"name": "adam"}',
      '',
      '    def __init__(self):',
      '        self.batch = 32',
      '        other = 5',
      '',
      '    def helper(self):',
      '        return 1',
      '',
      'def f():',
      '    X = 1',
      'if True:',
      '    Y = 2',
      'T = 1,2',
    ].join('\n');
    expect(parseParamsFile('params.py', py)).toEqual({
      ok: true,
      value: {
        SEED: 42,
        LR: 0.001,
        NAME: 'resnet50',
        LAYERS: [64, 128, 256],
        SHAPE: [1, 2],
        ONE: 3,
        NEG: -0.5,
        FLAGS: { a: true, b: null, '3': false },
        BIG: 1000000,
        HEX: 255,
        TEXT: 'multi\nline',
        ESC: 'a\tb\n',
        RAW: 'a\\tb',
        Train: { epochs: 10, opt: { name: 'adam' }, batch: 32 },
        T: [1, 2],
      },
    });
  });

  it('names the file and line of a Python syntax error', () => {
    const r = parseParamsFile('params.py', 'A = 1\nB = [1, 2\nC = 3\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toBe('params.py:2: "[" is never closed');
    const s = parseParamsFile('params.py', 'A = 1\nB = "abc\n');
    expect(s.ok).toBe(false);
    if (!s.ok) expect(s.error).toMatch(/^params\.py:2: string literal/);
  });

  it('falls back to YAML for unknown extensions', () => {
    expect(paramsFormat('params')).toBe('yaml');
    expect(paramsFormat('x.PY')).toBe('python');
    expect(parseParamsFile('params.cfg', 'a: 1')).toEqual({ ok: true, value: { a: 1 } });
  });
});
