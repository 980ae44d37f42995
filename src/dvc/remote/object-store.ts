/** Hears the length of each chunk of an object as it streams, for progress within a large file. */
export type OnBytes = (n: number) => void;

/** A content-addressed store in DVC 3's layout: `files/md5/<first 2>/<rest>`. */
export interface ObjectStore {
  /** for messages: the remote's name or URL */
  readonly label: string;
  /**
   * Where the objects live, for caches shared across projects: two stores with the same id hold
   * the same objects (a local store's absolute directory; an S3 store's endpoint, region, bucket,
   * prefix and credentials). Labels can collide (a relative URL, an S3 URL without its endpoint);
   * ids cannot. Never shown: it may name paths, and holds only a hash of any credentials.
   */
  readonly id: string;
  has(oid: string): Promise<boolean>;
  /** the object's size in bytes, or undefined when absent */
  size(oid: string): Promise<number | undefined>;
  /** streams the object into `dest`, verifying its md5; never leaves a partial file */
  download(oid: string, dest: string, onBytes?: OnBytes): Promise<void>;
  /** streams a local file into the store under `oid` */
  upload(oid: string, src: string, onBytes?: OnBytes): Promise<void>;
  readText(oid: string): Promise<string>;
}

/** An object's name: an md5 in hex, with `.dir` for a directory's manifest. */
export const OID = /^[0-9a-f]{32}(\.dir)?$/;

/**
 * Where an object lives in a store. Object names come from files in repositories (dvc.lock,
 * `.dvc`, `.dir` manifests): anything but an md5 is refused, so none can reach outside the store.
 */
export function objectKey(oid: string): string {
  if (!OID.test(oid))
    throw new Error(`not a DVC object name (an md5 in hex): ${JSON.stringify(oid.slice(0, 80))}`);
  return `files/md5/${oid.slice(0, 2)}/${oid.slice(2)}`;
}

export class ObjectVerifyError extends Error {
  constructor(
    readonly oid: string,
    readonly actual: string,
    readonly store: string,
  ) {
    super(`object ${oid} from ${store} is corrupt: its content hashes to ${actual}`);
  }
}
