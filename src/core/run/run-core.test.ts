import { describe, expect, it } from 'vitest';
import { editParamsText } from './params-edit.js';
import { combinations, parseSetArg } from './sweep.js';
import { randomName } from './names.js';
import { defaultScript } from './default-script.js';
import { ExperimentName } from '../../contracts/experiments.js';

const YAML = `# top comment
train:
  lr: 0.1 # learning rate
  name: 'adam'
  layers: [1, 2]
  epochs: 10
`;

describe('editParamsText', () => {
  it('edits YAML keeping comments, order and quoting', () => {
    const r = editParamsText('params.yaml', YAML, [
      { key: 'train.lr', value: '0.05' },
      { key: 'train.name', value: 'sgd' },
      { key: 'train.epochs', value: 20 },
    ]);
    expect(r.ok && r.text).toBe(
      YAML.replace('0.1 #', '0.05 #').replace("'adam'", "'sgd'").replace('10', '20'),
    );
  });
  it('refuses unknown keys and wrong types', () => {
    expect(editParamsText('params.yaml', YAML, [{ key: 'train.nope', value: 1 }])).toEqual({
      ok: false,
      error: 'params.yaml has no param "train.nope"',
    });
    const r = editParamsText('params.yaml', YAML, [{ key: 'train.lr', value: 'fast' }]);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/train.lr is a number/);
  });
  it('keeps a string param a string', () => {
    const r = editParamsText('params.yaml', YAML, [{ key: 'train.name', value: '123' }]);
    expect(r.ok && r.text).toContain("name: '123'");
  });
  it('edits JSON and TOML', () => {
    const j = editParamsText('p.json', '{\n    "a": {"b": 1, "c": "x"}\n}\n', [{ key: 'a.b', value: '2' }]);
    expect(j.ok && j.text).toBe('{\n    "a": {\n        "b": 2,\n        "c": "x"\n    }\n}\n');
    const toml = '# c\n[train]\nlr = 0.1 # rate\nname = "a"\n[data]\nlr = 5\n';
    const t = editParamsText('p.toml', toml, [
      { key: 'data.lr', value: '7' },
      { key: 'train.name', value: 'b#c' },
    ]);
    expect(t.ok && t.text).toBe('# c\n[train]\nlr = 0.1 # rate\nname = "b#c"\n[data]\nlr = 7\n');
  });
});

describe('sweeps', () => {
  it('parses DVC -S syntax', () => {
    expect(parseSetArg('train.lr=0.1')).toEqual({
      ok: true,
      value: { file: 'params.yaml', key: 'train.lr', values: ['0.1'] },
    });
    expect(parseSetArg('p.json:a.b=choice(1, 2)')).toEqual({
      ok: true,
      value: { file: 'p.json', key: 'a.b', values: ['1', '2'] },
    });
    expect(parseSetArg('x=range(1,10,3)')).toMatchObject({ value: { values: ['1', '4', '7'] } });
    expect(parseSetArg('x=range(0,0.3,0.1)')).toMatchObject({ value: { values: ['0', '0.1', '0.2'] } });
    expect(parseSetArg('x=a,b,c')).toMatchObject({ value: { values: ['a', 'b', 'c'] } });
    expect(parseSetArg('x=[1,2]')).toMatchObject({ value: { values: ['[1,2]'] } });
    expect(parseSetArg('novalue').ok).toBe(false);
  });
  it('makes every combination', () => {
    const a = parseSetArg('a=1,2');
    const b = parseSetArg('b=choice(x,y,z)');
    if (!a.ok || !b.ok) throw new Error('parse');
    const c = combinations([a.value, b.value]);
    expect(c).toHaveLength(6);
    expect(c[5]).toEqual([
      { file: 'params.yaml', key: 'a', value: 2 },
      { file: 'params.yaml', key: 'b', value: 'z' },
    ]);
  });
});

describe('names and scripts', () => {
  it('makes valid names', () => {
    for (let i = 0; i < 50; i++) expect(ExperimentName.safeParse(randomName()).success).toBe(true);
    expect(ExperimentName.safeParse('../x').success).toBe(false);
    expect(ExperimentName.safeParse('a b').success).toBe(false);
  });
  it('falls back to the stage commands', () => {
    const s = defaultScript([{ name: 'train', wdir: '.', cmds: ['python3 train.py'] }]);
    expect(s).toContain("(cd '.' && python3 train.py)");
  });
});
