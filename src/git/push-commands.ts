/**
 * The ref updates at the head of a `git-receive-pack` request (Git's pack protocol, v0/v1):
 * pkt-lines `<old> <new> <ref>` (the first with `\0<capabilities>`), ended by a flush `0000`,
 * then the pack. Read so a server can refuse a push by the refs it would change, before
 * `git receive-pack` sees it.
 */
export interface PushCommand {
  oldOid: string;
  newOid: string;
  ref: string;
}

export type PushHead =
  | { state: 'more' }
  | { state: 'bad'; reason: string }
  | { state: 'done'; commands: PushCommand[]; capabilities: string[]; headBytes: number };

/** A push whose commands are not known after this many bytes is refused. */
export const MAX_PUSH_HEAD = 1024 * 1024;

const OID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/** Parses the commands at the start of `buf`; `more` when the flush has not arrived yet. */
export function parsePushHead(buf: Buffer): PushHead {
  const commands: PushCommand[] = [];
  let capabilities: string[] = [];
  let at = 0;
  for (;;) {
    if (buf.length - at < 4) return tooLong(buf) ?? { state: 'more' };
    const hex = buf.subarray(at, at + 4).toString('latin1');
    if (!/^[0-9a-f]{4}$/.test(hex)) return { state: 'bad', reason: 'not a git push request' };
    const len = parseInt(hex, 16);
    if (len === 0) return { state: 'done', commands, capabilities, headBytes: at + 4 };
    if (len < 4) return { state: 'bad', reason: 'not a git push request' };
    if (buf.length - at < len) return tooLong(buf) ?? { state: 'more' };
    let line = buf.subarray(at + 4, at + len).toString('utf8');
    at += len;
    if (line.endsWith('\n')) line = line.slice(0, -1);
    if (line.startsWith('shallow ')) continue;
    if (line.startsWith('push-cert')) return { state: 'bad', reason: 'signed pushes are not accepted here' };
    const nul = line.indexOf('\0');
    if (nul >= 0) {
      if (commands.length === 0)
        capabilities = line
          .slice(nul + 1)
          .split(' ')
          .filter(Boolean);
      line = line.slice(0, nul);
    }
    const [oldOid = '', newOid = '', ref = '', ...rest] = line.split(' ');
    if (!OID.test(oldOid) || !OID.test(newOid) || !ref || rest.length)
      return { state: 'bad', reason: `malformed ref update "${line.slice(0, 200)}"` };
    commands.push({ oldOid, newOid, ref });
  }
}

function tooLong(buf: Buffer): PushHead | null {
  return buf.length > MAX_PUSH_HEAD ? { state: 'bad', reason: 'the push names too many refs' } : null;
}

function pkt(data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, '0'), 'latin1'), body]);
}

/**
 * A `git-receive-pack` answer that refuses every command with `reason`, so `git push` prints
 * ` ! [remote rejected] <ref> (<reason>)` instead of a bare HTTP error. Wrapped in side band 1
 * when the client asked for one, as Git then demultiplexes the answer.
 */
export function refusalReport(
  commands: readonly PushCommand[],
  capabilities: readonly string[],
  reason: string,
): Buffer {
  const clean = reason.replace(/[\r\n]+/g, ' ');
  const status = Buffer.concat([
    pkt('unpack ok\n'),
    ...commands.map((c) => pkt(`ng ${c.ref} ${clean}\n`)),
    Buffer.from('0000'),
  ]);
  if (!capabilities.includes('side-band-64k') && !capabilities.includes('side-band')) return status;
  const max = capabilities.includes('side-band-64k') ? 65515 : 995;
  const out: Buffer[] = [];
  for (let i = 0; i < status.length; i += max)
    out.push(pkt(Buffer.concat([Buffer.from([1]), status.subarray(i, i + max)])));
  out.push(Buffer.from('0000'));
  return Buffer.concat(out);
}
