/** The parts of s3rver (an S3-compatible test server with no types of its own) the tests use. */
declare module 's3rver' {
  export default class S3rver {
    constructor(opts: {
      port?: number;
      address?: string;
      silent?: boolean;
      directory: string;
      resetOnClose?: boolean;
      configureBuckets?: Array<{ name: string }>;
    });
    run(): Promise<{ port: number; address: string }>;
    close(): Promise<void>;
    /** S3 event notifications: `ObjectCreated:Put` for a PUT, `ObjectCreated:Post` for a completed multipart upload */
    on(
      event: 'event',
      listener: (e: { Records: Array<{ eventName: string; s3: { object: { key: string } } }> }) => void,
    ): this;
  }
}
