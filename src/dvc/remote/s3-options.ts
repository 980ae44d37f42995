import { createHash } from 'node:crypto';

/** How to reach an S3 remote; pure, so a store's identity is known without loading the AWS SDK. */
export interface S3StoreOptions {
  /** `s3://bucket/prefix` */
  url: string;
  /** for S3-compatible servers (MinIO, Ceph…): DVC's `endpointurl` */
  endpointUrl?: string;
  region?: string;
  /** explicit credentials (the project's encrypted ones); otherwise the usual AWS environment */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** files of this size and more go up in parts (a single PUT stops at 5 GB); default 64 MiB */
  multipartThreshold?: number;
  /** bytes per part; raised as needed to stay within S3's 10,000 parts; default 16 MiB */
  partSize?: number;
}

export const DEFAULT_S3_REGION = 'us-east-1';

/** Options of a `['remote "x"']` section as DVC names them, for an S3 remote. */
export function s3OptionsFromDvc(url: string, o: Record<string, string>): S3StoreOptions {
  const opts: S3StoreOptions = { url };
  if (o['endpointurl'] !== undefined) opts.endpointUrl = o['endpointurl'];
  if (o['region'] !== undefined) opts.region = o['region'];
  const id = o['access_key_id'];
  const secret = o['secret_access_key'];
  if (id !== undefined && secret !== undefined) {
    opts.credentials = { accessKeyId: id, secretAccessKey: secret };
    if (o['session_token'] !== undefined) opts.credentials.sessionToken = o['session_token'];
  }
  return opts;
}

/** The bucket and key prefix (no trailing slash) of an `s3://bucket/prefix` URL. */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (m === null) throw new Error(`not an s3:// URL: ${url}`);
  return { bucket: m[1] ?? '', prefix: (m[2] ?? '').replace(/\/+$/, '') };
}

/**
 * An S3 store's identity for {@link ObjectStore.id}: the server (endpoint and region), the bucket
 * and prefix, and who reads (a hash of the credentials, so one project's keys never serve another
 * project's cached reads). The URL alone is not enough: `s3://b/p` on MinIO and on AWS differ.
 */
export function s3StoreId(opts: S3StoreOptions): string {
  // a URL S3Store refuses still gets an id: the refusal comes on first use, as before
  let where: string[] = [opts.url];
  try {
    const { bucket, prefix } = parseS3Url(opts.url);
    where = [bucket, prefix];
  } catch {
    // kept as written
  }
  const c = opts.credentials;
  const who =
    c === undefined
      ? 'environment'
      : createHash('sha256')
          .update(`${c.accessKeyId}\0${c.secretAccessKey}\0${c.sessionToken ?? ''}`)
          .digest('hex')
          .slice(0, 32);
  return `s3:${JSON.stringify([opts.endpointUrl ?? 'aws', opts.region ?? DEFAULT_S3_REGION, ...where, who])}`;
}
