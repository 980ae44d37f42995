import type { ObjectStore, OnBytes } from './object-store.js';
import { s3OptionsFromDvc, s3StoreId, type S3StoreOptions } from './s3-options.js';

/**
 * An S3 object store that loads the AWS SDK on first use, so commands that never touch an S3
 * remote (and CLI start-up) don't pay for importing it.
 */
export class LazyS3Store implements ObjectStore {
  readonly label: string;
  readonly id: string;
  private readonly opts: S3StoreOptions;
  private store: Promise<ObjectStore> | undefined;

  constructor(url: string, options: Record<string, string>, credentials: S3StoreOptions['credentials']) {
    this.label = url;
    this.opts = s3OptionsFromDvc(url, options);
    if (credentials !== undefined) this.opts.credentials = credentials;
    this.id = s3StoreId(this.opts);
  }

  private open(): Promise<ObjectStore> {
    this.store ??= import('./s3-store.js').then(({ S3Store }) => new S3Store(this.opts));
    return this.store;
  }

  async has(oid: string): Promise<boolean> {
    return (await this.open()).has(oid);
  }
  async size(oid: string): Promise<number | undefined> {
    return (await this.open()).size(oid);
  }
  async download(oid: string, dest: string, onBytes?: OnBytes): Promise<void> {
    return (await this.open()).download(oid, dest, onBytes);
  }
  async upload(oid: string, src: string, onBytes?: OnBytes): Promise<void> {
    return (await this.open()).upload(oid, src, onBytes);
  }
  async readText(oid: string): Promise<string> {
    return (await this.open()).readText(oid);
  }
}
