// Reading an export ZIP back in tests (yauzl): every entry's bytes by name, and the checks every export must pass
// (each manifest entry's SHA-256 and size match the file).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import yauzl from 'yauzl';

export async function readZip(bytes: Uint8Array): Promise<Map<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.fromBuffer(Buffer.from(bytes), { lazyEntries: true }, (error, file) => (error ? reject(error) : resolve(file))));
  const entries = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', () => resolve());
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (error, stream) => {
        if (error) return reject(error);
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', reject);
        stream.on('end', () => {
          entries.set(entry.fileName, Buffer.concat(chunks));
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
  return entries;
}

export interface Manifest {
  format: string;
  exportId: string;
  memberId: string;
  files: Array<{ path: string; sizeBytes: number; sha256: string }>;
}

/** Every file the manifest lists is in the ZIP with that digest and size, and every other entry is the manifest. */
export function assertManifest(entries: Map<string, Buffer>): Manifest {
  const manifestBytes = entries.get('manifest.json');
  assert.ok(manifestBytes, 'the ZIP has manifest.json');
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
  for (const file of manifest.files) {
    const bytes = entries.get(file.path);
    assert.ok(bytes, `the ZIP has ${file.path}, which the manifest lists`);
    assert.equal(createHash('sha256').update(bytes).digest('hex'), file.sha256, `the SHA-256 of ${file.path} matches the manifest`);
    assert.equal(bytes.length, file.sizeBytes, `the size of ${file.path} matches the manifest`);
  }
  assert.deepEqual([...entries.keys()].filter((name) => name !== 'manifest.json').sort(), manifest.files.map((file) => file.path).sort(), 'the manifest lists every file of the ZIP');
  return manifest;
}
