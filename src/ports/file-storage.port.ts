// The file storage port: where uploaded files (after-sales photos, authorized agents' documents) and generated files
// (privacy exports) live. The default keeps them in the data folder; several instances share a folder or use an
// object-store adapter behind the same interface.

export interface StoredFile {
  bytes: Uint8Array;
  contentType: string;
}

export interface FileStorage {
  readonly name: string;
  /** Writes (or replaces) the file under `key`: letters, digits, `-`, `_`, `.` and `/` separated segments. */
  put(key: string, file: StoredFile): Promise<void>;
  get(key: string): Promise<StoredFile | undefined>;
  /**
   * Writes a file that may be larger than memory (a privacy export) from a stream of chunks, so the caller never
   * holds the whole file; a failed source leaves no file under `key`.
   */
  putStream(key: string, source: AsyncIterable<Uint8Array>, contentType: string): Promise<void>;
  /** Reads a file as a stream of chunks (downloads of privacy exports), or undefined when there is none. */
  getStream(key: string): Promise<{ stream: AsyncIterable<Uint8Array>; contentType: string } | undefined>;
  /** Removing a key that does not exist is not an error (erasure may run twice). */
  remove(key: string): Promise<void>;
}

const keyPattern = /^[a-z0-9_-]+(?:\.[a-z0-9]+)?(?:\/[a-z0-9_-]+(?:\.[a-z0-9]+)?)*$/i;

/** Refuses keys that could leave the storage root (`..`, absolute paths, odd characters). */
export function isSafeStorageKey(key: string): boolean {
  return key.length > 0 && key.length <= 200 && keyPattern.test(key);
}
