import { afterAll, describe, expect, it } from 'vitest';
import { LogShipper } from './log-shipper.js';

const AWS = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCY+EXAMPLEKEY';
const TOKEN = 'kiln_Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0';
let attempts = 0;
let leaks = 0;

/** What the server stores for `writes` (each cut apart, as the 100 ms shipping timer does). */
function shipped(writes: string[], stream: 'stdout' | 'stderr' = 'stdout'): string {
  const logs = new LogShipper(0, [AWS, TOKEN]);
  for (const w of writes) {
    logs.write(stream, w);
    logs.cut();
  }
  logs.end();
  const chunks = logs.batch(10_000);
  expect(chunks.map((c) => c.seq)).toEqual(chunks.map((_, i) => i + 1));
  return chunks.map((c) => c.text).join('');
}

/** Every way `secret` was seen in clear in `text`. */
function leaked(text: string, secret: string): string[] {
  const found: string[] = [];
  if (text.includes(secret)) found.push('plain');
  for (let i = 0; i < secret.length - 7; i++) {
    const part = secret.slice(i, i + 8);
    if (text.includes(part)) found.push(`fragment "${part}"`);
  }
  return found;
}

function check(writes: string[], secret: string, hidden: string[] = []): string {
  attempts++;
  const text = shipped(writes);
  const seen = [...leaked(text, secret), ...hidden.filter((h) => text.includes(h))];
  if (seen.length) leaks++;
  expect(seen, text).toEqual([]);
  return text;
}

afterAll(() => {
  console.log(`secret masking: ${attempts} leak attempts, ${leaks} in clear`);
});

describe('secrets in a job’s log', () => {
  it('a secret printed in two writes is masked, as are three-way splits', () => {
    expect(check([`key=${AWS.slice(0, 17)}`, `${AWS.slice(17)}\n`], AWS)).toBe('key=***\n');
    expect(check([`tok ${TOKEN.slice(0, 5)}`, TOKEN.slice(5, 30), `${TOKEN.slice(30)} done\n`], TOKEN)).toBe(
      'tok *** done\n',
    );
    // One character at a time, as a program writing unbuffered does.
    expect(check([...`say ${TOKEN}!\n`], TOKEN)).toBe('say ***!\n');
  });

  it('base64 at every alignment and in both alphabets, and URL-encoding, are masked', () => {
    for (const prefix of ['', 'a', 'ab', 'abc', '{"key":"']) {
      const b64 = Buffer.from(`${prefix}${AWS}\n`).toString('base64');
      check([`blob: ${b64.slice(0, 20)}`, `${b64.slice(20)}\n`], AWS, [b64.slice(12, 40)]);
      const url = Buffer.from(`${prefix}${TOKEN}`).toString('base64url');
      check([`u=${url}\n`], TOKEN, [url.slice(8, 40)]);
    }
    const encoded = encodeURIComponent(AWS);
    expect(encoded).not.toBe(AWS);
    const text = check([`GET /?secret=${encoded.slice(0, 9)}`, `${encoded.slice(9)} 200\n`], AWS, [encoded]);
    expect(text).toBe('GET /?secret=*** 200\n');
  });

  it('ordinary output is not held back; a held tail that was no secret comes out whole', () => {
    const logs = new LogShipper(0, [AWS, TOKEN]);
    logs.write('stdout', 'epoch 1 loss 0.25\n');
    logs.cut();
    expect(logs.batch().map((c) => c.text)).toEqual(['epoch 1 loss 0.25\n']);
    logs.write('stdout', 'model kil');
    logs.cut();
    logs.write('stdout', 'ns 3 layers\n');
    logs.cut();
    logs.end();
    expect(
      logs
        .batch()
        .map((c) => c.text)
        .join(''),
    ).toBe('epoch 1 loss 0.25\nmodel kilns 3 layers\n');
    // At the end of the job, what was held is shipped even if it begins like a secret.
    expect(shipped(['last words kiln_Zm9'])).toBe('last words kiln_Zm9');
  });
});
