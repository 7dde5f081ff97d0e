/** Types for unzip.mjs (plain JavaScript so Node 18 under qemu runs it; TypeScript tests import it too). */

/** The archive is not what a zip reader (or Lambda) can use. */
export declare class ZipReadError extends Error {
  readonly file: string;
  constructor(file: string, message: string);
}

/** Extracts every entry of `file` into `dir` (created); returns the entry names. */
export declare function unzip(file: string, dir: string): string[];
