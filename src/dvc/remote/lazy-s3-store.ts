import type { ObjectStore, OnBytes } from './object-store.js';
import type { S3StoreOptions } from './s3-store.js';

/**
 * An S3 object store that loads the AWS SDK on first use, so commands that never touch an S3
 * remote (and CLI start-up) don't pay for importing it.
 */
export class LazyS3Store implements ObjectStore {
  readonly label: string;
  private store: Promise<ObjectStore> | undefined;

  constructor(
    private readonly url: string,
    private readonly options: Record<string, string>,
    private readonly credentials: S3StoreOptions['credentials'],
  ) {
    this.label = url;
  }

  private open(): Promise<ObjectStore> {
    this.store ??= import('./s3-store.js').then(({ S3Store, s3OptionsFromDvc }) => {
      const opts = s3OptionsFromDvc(this.url, this.options);
      if (this.credentials !== undefined) opts.credentials = this.credentials;
      return new S3Store(opts);
    });
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
