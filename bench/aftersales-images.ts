// After-sales image intake benchmark (issue 9 point 9): acceptImage on 12-megapixel JPEG photos of about 8 MB each
// (sniff, header checks, decode, auto-orient, re-encode without metadata, SHA-256, store), one at a time and as a
// form's batch of five at once. Stores into the memory file storage, so the figures are the CPU path, not the disk.
import { availableParallelism } from 'node:os';
import sharp from 'sharp';
import { acceptImage } from '../src/modules/aftersales/images.service.ts';
import { createMemoryFileStorage } from '../src/ports/local-file-storage.ts';

const widthPx = 4032;
const heightPx = 3024;
const rounds = 10;

/** A gradient under strong noise: compresses like a detailed photo, so a 12 MP JPEG lands near 8 MB. */
async function syntheticPhoto(seed: number): Promise<Buffer> {
  const pixels = Buffer.alloc(widthPx * heightPx * 3);
  let state = 0x2545f491 ^ seed;
  for (let y = 0; y < heightPx; y += 1) {
    for (let x = 0; x < widthPx; x += 1) {
      for (let channel = 0; channel < 3; channel += 1) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        const base = ((x + y * 2 + channel * 60) >> 4) % 256;
        pixels[(y * widthPx + x) * 3 + channel] = Math.max(0, Math.min(255, base + (((state & 0xff) - 128) * 130) / 256));
      }
    }
  }
  return sharp(pixels, { raw: { width: widthPx, height: heightPx, channels: 3 } })
    .jpeg({ quality: 93 })
    .withMetadata({ orientation: 1, exif: { IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' } } })
    .toBuffer();
}

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? 0;
}

const round1 = (value: number) => Math.round(value * 10) / 10;

export async function runAftersalesImagesBench(): Promise<void> {
  const photos = await Promise.all([1, 2, 3, 4, 5].map((seed) => syntheticPhoto(seed)));
  const sizesMb = photos.map((photo) => round1(photo.length / 1024 / 1024));
  const ctx = { ports: { files: createMemoryFileStorage() } };
  // One warm-up pass so libvips' first-use setup is not in the figures.
  await acceptImage(ctx, { bytes: photos[0]!, ownerKey: 'bench_warmup' });

  const single: number[] = [];
  const batch: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    for (const [index, photo] of photos.entries()) {
      const startedAt = performance.now();
      await acceptImage(ctx, { bytes: photo, ownerKey: `bench_single_${round}_${index}` });
      single.push(performance.now() - startedAt);
    }
    const startedAt = performance.now();
    await Promise.all(photos.map((photo, index) => acceptImage(ctx, { bytes: photo, ownerKey: `bench_batch_${round}_${index}` })));
    batch.push(performance.now() - startedAt);
  }
  single.sort((a, b) => a - b);
  batch.sort((a, b) => a - b);
  const result = {
    photos: `${photos.length} × ${widthPx}×${heightPx} JPEG, ${sizesMb.join(' / ')} MB`,
    cpus: availableParallelism(),
    sharpConcurrency: sharp.concurrency(),
    singleP50Ms: round1(percentile(single, 50)),
    singleP95Ms: round1(percentile(single, 95)),
    batchOfFiveP50Ms: round1(percentile(batch, 50)),
    batchOfFiveP95Ms: round1(percentile(batch, 95)),
    samples: { single: single.length, batch: batch.length },
  };
  process.stdout.write(
    `image intake (sniff + decode + re-encode + store), ${result.photos}, ${result.cpus} CPUs\n` +
      `  one image        p50 ${result.singleP50Ms} ms   p95 ${result.singleP95Ms} ms   (${single.length} samples)\n` +
      `  batch of five    p50 ${result.batchOfFiveP50Ms} ms   p95 ${result.batchOfFiveP95Ms} ms   (${batch.length} samples, concurrent)\n` +
      `${JSON.stringify({ bench: 'aftersales-images', ...result })}\n`,
  );
}
