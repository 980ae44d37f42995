import { describe, expect, it } from 'vitest';
import { accuracy, lr, rows } from './fixtures.js';
import { toCsv } from './csv.js';

describe('toCsv', () => {
  it('writes the shown rows and columns with quoting and error markers', () => {
    const lines = toCsv(rows, [lr, accuracy]).split('\r\n');
    expect(lines[0]).toBe(
      'rev,name,status,message,author,date,branches,tags,params:params.yaml:train.lr,metrics:eval/metrics.json:accuracy',
    );
    expect(lines[1]).toBe(
      'c3c3c3c3c3c3,,,"Tune lr, ""fast"" run",Ada Lovelace,2024-05-01T10:00:00Z,main,,0.01,0.91',
    );
    expect(lines[3]).toContain(',#ERROR,');
    expect(lines).toHaveLength(5);
  });
});
