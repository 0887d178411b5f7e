// File storage adapters: a folder on disk (the default, under the data folder) and memory (tests).
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { dirname, join } from 'node:path';
import { isSafeStorageKey, type FileStorage, type StoredFile } from './file-storage.port.ts';

function checkedKey(key: string): string {
  if (!isSafeStorageKey(key)) throw new RangeError(`unsafe storage key: ${JSON.stringify(key.slice(0, 40))}`);
  return key;
}

/** Each file is `<root>/<key>` with its content type beside it in `<key>.type`; files are written 0600. */
export function createFolderFileStorage(root: string): FileStorage {
  return {
    name: 'folder',
    async put(key, file) {
      const path = join(root, checkedKey(key));
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      await writeFile(path, file.bytes, { mode: 0o600 });
      await writeFile(`${path}.type`, file.contentType, { mode: 0o600 });
    },
    async get(key) {
      const path = join(root, checkedKey(key));
      try {
        const [bytes, contentType] = await Promise.all([readFile(path), readFile(`${path}.type`, 'utf8')]);
        return { bytes: new Uint8Array(bytes), contentType };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async putStream(key, source, contentType) {
      const path = join(root, checkedKey(key));
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      // Written beside the final name and renamed, so a failed stream never leaves half a file under the key.
      const partial = `${path}.partial`;
      try {
        await pipeline(Readable.from(source), createWriteStream(partial, { mode: 0o600 }));
        await writeFile(`${path}.type`, contentType, { mode: 0o600 });
        await rename(partial, path);
      } catch (error) {
        await rm(partial, { force: true });
        throw error;
      }
    },
    async getStream(key) {
      const path = join(root, checkedKey(key));
      let contentType: string;
      try {
        contentType = await readFile(`${path}.type`, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      return { stream: createReadStream(path), contentType };
    },
    async remove(key) {
      const path = join(root, checkedKey(key));
      await rm(path, { force: true });
      await rm(`${path}.type`, { force: true });
    },
  };
}

export function createMemoryFileStorage(): FileStorage {
  const files = new Map<string, StoredFile>();
  return {
    name: 'memory',
    async put(key, file) {
      files.set(checkedKey(key), { bytes: new Uint8Array(file.bytes), contentType: file.contentType });
    },
    async get(key) {
      return files.get(checkedKey(key));
    },
    async putStream(key, source, contentType) {
      const chunks: Uint8Array[] = [];
      for await (const chunk of source) chunks.push(chunk);
      files.set(checkedKey(key), { bytes: new Uint8Array(Buffer.concat(chunks)), contentType });
    },
    async getStream(key) {
      const file = files.get(checkedKey(key));
      if (!file) return undefined;
      const bytes = file.bytes;
      return { stream: (async function* () { yield bytes; })(), contentType: file.contentType };
    },
    async remove(key) {
      files.delete(checkedKey(key));
    },
  };
}
