// After-sales image intake (AS-9): type from the bytes, limits, metadata stripped, nothing stored on a refusal. No
// database is involved, so the suite runs once, on the memory file storage.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { crc32 } from 'node:zlib';
import sharp, { type Sharp } from 'sharp';
import { acceptImage, heicDecodable, heicUnsupportedMessage, type ImageIntakeCtx } from '../../src/modules/aftersales/images.service.ts';
import { assertImageCount, maxImageBytes, maxImagesPerCase } from '../../src/modules/aftersales/images.rules.ts';
import type { FileStorage } from '../../src/ports/file-storage.port.ts';
import { createMemoryFileStorage } from '../../src/ports/local-file-storage.ts';
import { AppError } from '../../src/platform/errors.ts';

/** The memory storage, with every key written so far, so a test can say "nothing was stored". */
function recordingStorage(): FileStorage & { keys: string[] } {
  const inner = createMemoryFileStorage();
  const keys: string[] = [];
  return {
    name: 'recording',
    keys,
    async put(key, file) {
      keys.push(key);
      await inner.put(key, file);
    },
    get: (key) => inner.get(key),
    remove: (key) => inner.remove(key),
    putStream: (key, source, contentType) => inner.putStream(key, source, contentType),
    getStream: (key) => inner.getStream(key),
  };
}

function newCtx(): { ctx: ImageIntakeCtx; files: ReturnType<typeof recordingStorage> } {
  const files = recordingStorage();
  return { ctx: { ports: { files } }, files };
}

/** Deterministic noise, so encoders cannot shrink the picture to nothing and truncation hits pixel data. */
function noise(width: number, height: number, channels: 3 | 4 = 3): Sharp {
  const pixels = Buffer.alloc(width * height * channels);
  let state = 0x2545f491;
  for (let index = 0; index < pixels.length; index += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    pixels[index] = state & 0xff;
  }
  return sharp(pixels, { raw: { width, height, channels } });
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Inserts a private ancillary chunk before IEND so the PNG (still well-formed) is exactly `totalBytes` long. */
function padPngTo(png: Buffer, totalBytes: number): Buffer {
  const iendLength = 12;
  const body = png.subarray(0, png.length - iendLength);
  const fillerLength = totalBytes - png.length - 12;
  assert.ok(fillerLength >= 0);
  return Buffer.concat([body, pngChunk('ruSt', Buffer.alloc(fillerLength, 0x41)), png.subarray(png.length - iendLength)]);
}

/** A PNG whose header declares `width × height` and carries almost no data: what a decompression bomb looks like. */
function pngDeclaring(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

async function assertRefused(
  promise: Promise<unknown>,
  files: { keys: string[] },
  code: 'validation' | 'payload_too_large',
  message: RegExp,
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof AppError, `expected an AppError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });
  assert.deepEqual(files.keys, [], 'nothing may be stored on a refusal');
}

describe('AS-9 after-sales images', () => {
  test('AS-9 a JPEG with GPS EXIF is stored re-encoded without any EXIF or GPS', async () => {
    const input = await noise(64, 48)
      .jpeg()
      .withMetadata({ exif: { IFD0: { Make: 'PatronCam' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' } } })
      .toBuffer();
    const inputMetadata = await sharp(input).metadata();
    assert.ok(inputMetadata.exif, 'the test input must carry EXIF');
    assert.ok(inputMetadata.exif.includes(Buffer.from('PatronCam')), 'the test input must carry the camera make');
    assert.ok(inputMetadata.exif.includes(Buffer.from([0x88, 0x25])) || inputMetadata.exif.includes(Buffer.from([0x25, 0x88])), 'the test input must carry a GPS IFD pointer (tag 0x8825)');

    const { ctx, files } = newCtx();
    const accepted = await acceptImage(ctx, { bytes: input, declaredName: 'IMG_0001.JPG', ownerKey: 'case_01' });
    assert.equal(accepted.contentType, 'image/jpeg');
    assert.equal(accepted.key, `aftersales/case_01/${accepted.sha256}.jpg`);
    assert.deepEqual([accepted.width, accepted.height], [64, 48]);
    assert.deepEqual(files.keys, [accepted.key]);

    const stored = await files.get(accepted.key);
    assert.ok(stored);
    assert.equal(stored.contentType, 'image/jpeg');
    assert.equal(stored.bytes.length, accepted.sizeBytes);
    const storedMetadata = await sharp(stored.bytes).metadata();
    assert.equal(storedMetadata.format, 'jpeg');
    assert.equal(storedMetadata.exif, undefined);
    assert.equal(storedMetadata.xmp, undefined);
    assert.equal(Buffer.from(stored.bytes).includes(Buffer.from('PatronCam')), false);
    assert.equal(Buffer.from(stored.bytes).includes(Buffer.from('Exif\0\0')), false);
  });

  test('AS-9 an EXIF-rotated JPEG is turned upright before its orientation tag is dropped', async () => {
    const input = await noise(60, 40).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const { ctx, files } = newCtx();
    const accepted = await acceptImage(ctx, { bytes: input, ownerKey: 'case_01' });
    assert.deepEqual([accepted.width, accepted.height], [40, 60]);
    const stored = await files.get(accepted.key);
    assert.ok(stored);
    const metadata = await sharp(stored.bytes).metadata();
    assert.deepEqual([metadata.width, metadata.height, metadata.orientation], [40, 60, undefined]);
  });

  test('AS-9 PNG and WebP are accepted and keep their format; the name does not decide the type', async () => {
    const { ctx, files } = newCtx();
    const png = await noise(32, 32, 4).png().toBuffer();
    const webp = await noise(32, 24).webp().toBuffer();
    const acceptedPng = await acceptImage(ctx, { bytes: png, declaredName: 'screenshot.jpg', ownerKey: 'case_02' });
    const acceptedWebp = await acceptImage(ctx, { bytes: webp, declaredName: 'photo', ownerKey: 'case_02' });
    assert.equal(acceptedPng.contentType, 'image/png');
    assert.match(acceptedPng.key, /^aftersales\/case_02\/[0-9a-f]{64}\.png$/);
    assert.equal(acceptedWebp.contentType, 'image/webp');
    assert.match(acceptedWebp.key, /^aftersales\/case_02\/[0-9a-f]{64}\.webp$/);
    assert.equal((await sharp((await files.get(acceptedPng.key))!.bytes).metadata()).format, 'png');
    assert.equal((await sharp((await files.get(acceptedWebp.key))!.bytes).metadata()).format, 'webp');
    assert.deepEqual(files.keys, [acceptedPng.key, acceptedWebp.key]);
  });

  test('AS-9 exactly 10 MB is accepted; 10 MB + 1 byte is refused and nothing is stored', async () => {
    const png = await noise(64, 64).png().toBuffer();
    const exact = padPngTo(png, maxImageBytes);
    assert.equal(exact.length, 10 * 1024 * 1024);
    const { ctx } = newCtx();
    const accepted = await acceptImage(ctx, { bytes: exact, ownerKey: 'case_03' });
    assert.equal(accepted.contentType, 'image/png');
    assert.ok(accepted.sizeBytes < exact.length, 'the filler chunk is not carried over');

    const over = newCtx();
    const oneByteOver = padPngTo(png, maxImageBytes + 1);
    assert.equal(oneByteOver.length, 10 * 1024 * 1024 + 1);
    await assertRefused(acceptImage(over.ctx, { bytes: oneByteOver, ownerKey: 'case_03' }), over.files, 'payload_too_large', /at most 10 MB/);
  });

  test('AS-9 a text file renamed .jpg is refused and nothing is stored', async () => {
    const { ctx, files } = newCtx();
    const text = new TextEncoder().encode('Dear support, my order arrived broken. Please refund.\n'.repeat(20));
    await assertRefused(acceptImage(ctx, { bytes: text, declaredName: 'photo.jpg', ownerKey: 'case_04' }), files, 'validation', /"photo\.jpg" is not a JPEG, PNG, WebP or HEIC image/);
    const html = new TextEncoder().encode('<html><script>alert(1)</script></html>');
    await assertRefused(acceptImage(ctx, { bytes: html, declaredName: 'x.png', ownerKey: 'case_04' }), files, 'validation', /not a JPEG, PNG, WebP or HEIC image/);
  });

  test('AS-9 GIF, AVIF and other image types outside the list are refused', async () => {
    const { ctx, files } = newCtx();
    const gif = await noise(8, 8).gif().toBuffer();
    const avif = await noise(8, 8).avif().toBuffer();
    await assertRefused(acceptImage(ctx, { bytes: gif, ownerKey: 'case_04' }), files, 'validation', /not a JPEG, PNG, WebP or HEIC image/);
    await assertRefused(acceptImage(ctx, { bytes: avif, ownerKey: 'case_04' }), files, 'validation', /not a JPEG, PNG, WebP or HEIC image/);
  });

  test('AS-9 huge dimensions are refused from the header, before decoding (decompression bomb)', async () => {
    const { ctx, files } = newCtx();
    await assertRefused(acceptImage(ctx, { bytes: pngDeclaring(30_000, 30_000), ownerKey: 'case_05' }), files, 'validation', /too large: at most 50 megapixels/);
    // Under the side limit but over the pixel limit, and a strip far past the side limit.
    await assertRefused(acceptImage(ctx, { bytes: pngDeclaring(7_100, 7_100), ownerKey: 'case_05' }), files, 'validation', /too large/);
    await assertRefused(acceptImage(ctx, { bytes: pngDeclaring(1, 40_000), ownerKey: 'case_05' }), files, 'validation', /too large/);
  });

  test('AS-9 a truncated JPEG and a corrupt one are refused and nothing is stored', async () => {
    const { ctx, files } = newCtx();
    const jpeg = await noise(256, 256).jpeg({ quality: 90 }).toBuffer();
    const truncated = jpeg.subarray(0, Math.floor(jpeg.length * 0.6));
    await assertRefused(acceptImage(ctx, { bytes: truncated, ownerKey: 'case_06' }), files, 'validation', /could not be read/);
    const headerOnly = jpeg.subarray(0, 40);
    await assertRefused(acceptImage(ctx, { bytes: headerOnly, ownerKey: 'case_06' }), files, 'validation', /could not be read|not a JPEG/);
    const truncatedPng = (await noise(128, 128).png().toBuffer()).subarray(0, 9_000);
    await assertRefused(acceptImage(ctx, { bytes: truncatedPng, ownerKey: 'case_06' }), files, 'validation', /could not be read/);
  });

  test('AS-9 a PNG or WebP carrying another file after its end (polyglot) is refused', async () => {
    const { ctx, files } = newCtx();
    const zipTail = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(64, 1)]);
    const png = await noise(16, 16).png().toBuffer();
    const webp = await noise(16, 16).webp().toBuffer();
    await assertRefused(acceptImage(ctx, { bytes: Buffer.concat([png, zipTail]), ownerKey: 'case_07' }), files, 'validation', /extra data after the picture/);
    await assertRefused(acceptImage(ctx, { bytes: Buffer.concat([webp, zipTail]), ownerKey: 'case_07' }), files, 'validation', /extra data after the picture/);
  });

  test('AS-9 an animated WebP is refused', async () => {
    const { ctx, files } = newCtx();
    // Two different frames: the encoder merges identical ones into a still image.
    const first = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#00ff00' } }).png().toBuffer();
    const second = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#ff0000' } }).png().toBuffer();
    const animated = await sharp([first, second], { join: { animated: true } }).webp().toBuffer();
    assert.equal((await sharp(animated).metadata()).pages, 2, 'the test input must be animated');
    await assertRefused(acceptImage(ctx, { bytes: animated, ownerKey: 'case_07' }), files, 'validation', /Animated/);
  });

  test('AS-9 HEIC: stored as JPEG where this installation decodes it, else refused with a clear message', async () => {
    // An image in a HEIF container branded `heic` (file-type reads the brand): what an iPhone upload sniffs as.
    const avif = await noise(16, 16).avif().toBuffer();
    const heic = Buffer.from(avif);
    heic.write('heic', 8, 'latin1');
    const { ctx, files } = newCtx();
    const upload = acceptImage(ctx, { bytes: heic, declaredName: 'IMG_0002.HEIC', ownerKey: 'case_08' });
    // The prebuilt libvips here reads HEIF only for AVIF, so the refusal is what runs in CI; a build with HEVC
    // support takes the other branch.
    if (heicDecodable()) {
      const stored = await upload;
      assert.equal(stored.contentType, 'image/jpeg');
      assert.equal((await files.get(stored.key))?.contentType, 'image/jpeg');
    } else {
      await assertRefused(upload, files, 'validation', /^HEIC photos are not supported on this installation/);
      assert.match(heicUnsupportedMessage, /JPEG, PNG or WebP/);
    }
  });

  test('AS-9 at most 5 images per case: the 6th is refused by assertImageCount', () => {
    assert.equal(maxImagesPerCase, 5);
    assertImageCount(0, 5);
    assertImageCount(4, 1);
    assert.throws(() => assertImageCount(5, 1), (error: unknown) => error instanceof AppError && error.code === 'validation' && /at most 5 images/.test(error.message));
    assert.throws(() => assertImageCount(3, 3), (error: unknown) => error instanceof AppError && /add 2 more/.test(error.message));
    assert.throws(() => assertImageCount(-1, 1), RangeError);
  });

  test('AS-9 an owner key that could leave the case folder is a programming error', async () => {
    const { ctx, files } = newCtx();
    const png = await noise(8, 8).png().toBuffer();
    await assert.rejects(acceptImage(ctx, { bytes: png, ownerKey: '../other' }), RangeError);
    assert.deepEqual(files.keys, []);
  });
});
