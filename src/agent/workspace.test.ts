import { describe, expect, it } from 'vitest';
import { resultMessage } from './workspace.js';

const job = { name: 'dandy-coda', baseline: '195ce2c0000000000000000000000000000000000' };

describe('resultMessage', () => {
  it("keeps the person's message: first line as the subject, the rest as the body", () => {
    expect(resultMessage({ ...job, message: 'Try a smaller lr\r\n\r\nThe loss spiked at epoch 3.' })).toBe(
      'dandy-coda: Try a smaller lr\n\nThe loss spiked at epoch 3.\n\nRun by Kiln, experiment from 195ce2c.',
    );
    expect(resultMessage({ ...job, message: 'one line' })).toBe(
      'dandy-coda: one line\n\nRun by Kiln, experiment from 195ce2c.',
    );
  });

  it('says where it came from when no message was written', () => {
    expect(resultMessage(job)).toBe('dandy-coda: experiment from 195ce2c\n\nRun by Kiln.');
    expect(resultMessage({ ...job, message: '  \n ' })).toBe(
      'dandy-coda: experiment from 195ce2c\n\nRun by Kiln.',
    );
  });
});
