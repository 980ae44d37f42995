import { describe, expect, it } from 'vitest';
import { editParamsText } from './params-edit.js';
import { expandSetArgs, singleSetArgs } from './sweep.js';
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

describe('-S arguments on the server', () => {
  it('makes every combination, each value read as YAML', () => {
    const c = expandSetArgs(['a=1,2', 'b=choice(x,y,z)']);
    if (!c.ok) throw new Error(c.error);
    expect(c.value).toHaveLength(6);
    expect(c.value[5]).toEqual([
      { file: 'params.yaml', key: 'a', value: 2 },
      { file: 'params.yaml', key: 'b', value: 'z' },
    ]);
    expect(expandSetArgs(['p.json:x=range(0.1,0.4,0.1)'])).toEqual({
      ok: true,
      value: [0.1, 0.2, 0.3].map((v) => [{ file: 'p.json', key: 'x', value: v }]),
    });
  });
  it('refuses a params file outside the repository and a sweep over the cap', () => {
    expect(expandSetArgs(['../x.yaml:a=1'])).toEqual({
      ok: false,
      error: 'params file "../x.yaml" is not a path inside the repository',
    });
    expect(expandSetArgs(['a=range(0,11)', 'b=range(0,10)'], 100)).toEqual({
      ok: false,
      error: 'the sweep makes 110 experiments (a 11 × b 10); 100 at most',
    });
  });
  it('takes one value per param for a single commit', () => {
    expect(singleSetArgs(['train.lr=0.05', 'p.json:d=[1, 2]'])).toEqual({
      ok: true,
      value: [
        { file: 'params.yaml', key: 'train.lr', value: 0.05 },
        { file: 'p.json', key: 'd', value: [1, 2] },
      ],
    });
    expect(singleSetArgs(['a=1', 'b=range(1,3)'])).toEqual({
      ok: false,
      error: '-S "b=range(1,3)": a CI commit takes one value per param, not a sweep',
    });
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
