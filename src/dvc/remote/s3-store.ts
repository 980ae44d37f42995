import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NotFound,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { writeVerified } from './local-store.js';
import { objectKey, ObjectVerifyError, type ObjectStore, type OnBytes } from './object-store.js';
import { DEFAULT_S3_REGION, parseS3Url, s3StoreId, type S3StoreOptions } from './s3-options.js';

export { s3OptionsFromDvc, type S3StoreOptions } from './s3-options.js';

const MiB = 1024 * 1024;
const MAX_PARTS = 10_000;

function isMissing(e: unknown): boolean {
  return (
    e instanceof NotFound ||
    e instanceof NoSuchKey ||
    (e instanceof S3ServiceException && e.$metadata.httpStatusCode === 404)
  );
}

/** `file` through a pass-through that reports each chunk's length as the request reads it. */
function counted(file: Readable, onBytes: OnBytes): Readable {
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      onBytes(chunk.length);
      done(null, chunk);
    },
  });
  // a read error must fail the request, not leave it waiting for bytes
  file.on('error', (e) => tap.destroy(e));
  return file.pipe(tap);
}

/** An S3 (or S3-compatible) remote in DVC 3's layout; transfers are streamed both ways. */
export class S3Store implements ObjectStore {
  readonly label: string;
  readonly id: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly multipartThreshold: number;
  private readonly partSize: number;

  constructor(opts: S3StoreOptions) {
    this.multipartThreshold = opts.multipartThreshold ?? 64 * MiB;
    this.partSize = opts.partSize ?? 16 * MiB;
    const { bucket, prefix } = parseS3Url(opts.url);
    this.bucket = bucket;
    this.prefix = prefix;
    this.label = opts.url;
    this.id = s3StoreId(opts);
    this.client = new S3Client({
      region: opts.region ?? DEFAULT_S3_REGION,
      // S3-compatible servers often store aws-chunked bodies verbatim; md5 verification covers integrity
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      ...(opts.endpointUrl === undefined ? {} : { endpoint: opts.endpointUrl, forcePathStyle: true }),
      ...(opts.credentials === undefined ? {} : { credentials: opts.credentials }),
    });
  }

  private key(oid: string): string {
    return this.prefix === '' ? objectKey(oid) : `${this.prefix}/${objectKey(oid)}`;
  }

  async size(oid: string): Promise<number | undefined> {
    try {
      const r = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(oid) }));
      return r.ContentLength ?? 0;
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  async has(oid: string): Promise<boolean> {
    return (await this.size(oid)) !== undefined;
  }

  async download(oid: string, dest: string, onBytes?: OnBytes): Promise<void> {
    const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(oid) }));
    if (!(r.Body instanceof Readable)) throw new Error(`${this.label}: no body for ${oid}`);
    await writeVerified(r.Body, dest, oid, this.label, onBytes);
  }

  async upload(oid: string, src: string, onBytes?: OnBytes): Promise<void> {
    const { size } = await stat(src);
    const key = this.key(oid);
    if (size >= this.multipartThreshold && size > 0) return this.uploadParts(oid, key, src, size, onBytes);
    const file = createReadStream(src, { highWaterMark: 1 << 20 });
    const r = await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: onBytes === undefined ? file : counted(file, onBytes),
        ContentLength: size,
      }),
    );
    // a single-part upload's ETag is the md5 of what the server stored: verify without reading twice
    const etag = r.ETag?.replace(/"/g, '');
    const expected = oid.replace(/\.dir$/, '');
    if (etag !== undefined && /^[0-9a-f]{32}$/.test(etag) && etag !== expected) {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
      throw new ObjectVerifyError(oid, etag, this.label);
    }
  }

  /**
   * A multipart upload, each part streamed from its byte range of the file: never more than a
   * stream buffer in memory. Parts go up in order so the whole file's md5 is computed on the way
   * and checked against `oid` before the upload is completed; each part's ETag (its md5) is
   * checked too. Objects are transferred concurrently by the caller.
   */
  private async uploadParts(
    oid: string,
    key: string,
    src: string,
    size: number,
    onBytes?: OnBytes,
  ): Promise<void> {
    const partSize = Math.max(this.partSize, Math.ceil(size / MAX_PARTS));
    const created = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key }),
    );
    const uploadId = created.UploadId;
    if (uploadId === undefined) throw new Error(`${this.label}: no upload id for ${oid}`);
    const whole = createHash('md5');
    try {
      const parts: Array<{ ETag: string; PartNumber: number }> = [];
      for (let start = 0, n = 1; start < size; start += partSize, n++) {
        const end = Math.min(size, start + partSize);
        const part = createHash('md5');
        const tee = new Transform({
          transform(chunk: Buffer, _enc, done) {
            whole.update(chunk);
            part.update(chunk);
            onBytes?.(chunk.length);
            done(null, chunk);
          },
        });
        const file = createReadStream(src, { start, end: end - 1, highWaterMark: MiB });
        // a read error must fail the part, not leave the request waiting for bytes
        file.on('error', (e) => tee.destroy(e));
        const body = file.pipe(tee);
        const r = await this.client.send(
          new UploadPartCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId: uploadId,
            PartNumber: n,
            Body: body,
            ContentLength: end - start,
          }),
        );
        const etag = r.ETag?.replace(/"/g, '');
        const sent = part.digest('hex');
        if (etag === undefined) throw new Error(`${this.label}: no ETag for part ${n} of ${oid}`);
        if (/^[0-9a-f]{32}$/.test(etag) && etag !== sent)
          throw new Error(`${this.label}: part ${n} of ${oid} arrived corrupt (md5 ${etag}, sent ${sent})`);
        parts.push({ ETag: r.ETag ?? etag, PartNumber: n });
      }
      const actual = whole.digest('hex');
      if (actual !== oid.replace(/\.dir$/, '')) throw new ObjectVerifyError(oid, actual, this.label);
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    } catch (e) {
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }))
        .catch(() => undefined);
      throw e;
    }
  }

  async readText(oid: string): Promise<string> {
    const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(oid) }));
    if (r.Body === undefined) throw new Error(`${this.label}: no body for ${oid}`);
    return r.Body.transformToString('utf8');
  }

  close(): void {
    this.client.destroy();
  }
}
