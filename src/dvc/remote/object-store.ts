/** Hears the length of each chunk of an object as it streams, for progress within a large file. */
export type OnBytes = (n: number) => void;

/** A content-addressed store in DVC 3's layout: `files/md5/<first 2>/<rest>`. */
export interface ObjectStore {
  /** for messages: the remote's name or URL */
  readonly label: string;
  has(oid: string): Promise<boolean>;
  /** the object's size in bytes, or undefined when absent */
  size(oid: string): Promise<number | undefined>;
  /** streams the object into `dest`, verifying its md5; never leaves a partial file */
  download(oid: string, dest: string, onBytes?: OnBytes): Promise<void>;
  /** streams a local file into the store under `oid` */
  upload(oid: string, src: string, onBytes?: OnBytes): Promise<void>;
  readText(oid: string): Promise<string>;
}

export function objectKey(oid: string): string {
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
