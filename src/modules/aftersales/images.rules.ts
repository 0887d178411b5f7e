// After-sales image limits (AS-9) and the cheap byte-level checks that run before any decoder sees the upload.
import { AppError } from '../../platform/errors.ts';

/** AS-9: at most five images on one case; the caller counts what the case already holds. */
export const maxImagesPerCase = 5;

/** AS-9: 10 MB is 10 × 1024 × 1024 bytes; exactly this many is accepted, one more is refused. */
export const maxImageBytes = 10 * 1024 * 1024;

/**
 * Decompression-bomb bound, checked by sharp from the header before it decodes (`limitInputPixels`). 50 megapixels
 * admits the 48 MP photos of current phones (8064 × 6048 = 48.8 MP) and 50 MP sensors (8160 × 6120), and bounds one
 * decode to about 200 MB of RGBA pixels.
 */
export const maxImagePixels = 50_000_000;

/**
 * A side longer than this is refused even under the pixel bound (a 1 × 40,000,000 strip is no photo); phone
 * panoramas stay under it.
 */
export const maxImageSidePx = 20_000;

/** A decode and re-encode that takes longer than this is stopped (a hostile file that is slow rather than big). */
export const imageProcessingTimeoutSeconds = 30;

export type StoredImageType = 'image/jpeg' | 'image/png' | 'image/webp';

/** Refuses adding `adding` images to a case that holds `existing` (AS-9), before any byte is read. */
export function assertImageCount(existing: number, adding: number): void {
  if (!Number.isInteger(existing) || !Number.isInteger(adding) || existing < 0 || adding < 0) {
    throw new RangeError(`image counts must be whole numbers ≥ 0 (existing ${existing}, adding ${adding})`);
  }
  if (existing + adding > maxImagesPerCase) {
    const left = Math.max(0, maxImagesPerCase - existing);
    throw new AppError(
      'validation',
      left === 0
        ? `A case can have at most ${maxImagesPerCase} images, and this one already has ${existing}.`
        : `A case can have at most ${maxImagesPerCase} images; you can add ${left} more.`,
      { maxImagesPerCase, existing, adding },
    );
  }
}

/** Refuses an upload over `maxImageBytes` (413) or an empty one, before anything is decoded. */
export function assertImageSize(sizeBytes: number): void {
  if (sizeBytes === 0) throw new AppError('validation', 'The image file is empty.');
  if (sizeBytes > maxImageBytes) {
    throw new AppError('payload_too_large', 'Each image can be at most 10 MB. Please send a smaller photo.', {
      maxImageBytes,
      sizeBytes,
    });
  }
}

/** Refuses dimensions sharp reported from the header that no photo has (zero, or one side absurdly long). */
export function assertImageDimensions(widthPx: number, heightPx: number): void {
  if (!(widthPx > 0 && heightPx > 0)) throw new AppError('validation', 'The image could not be read.');
  if (widthPx > maxImageSidePx || heightPx > maxImageSidePx || widthPx * heightPx > maxImagePixels) {
    throw new AppError('validation', `The image is too large: at most ${maxImagePixels / 1_000_000} megapixels and ${maxImageSidePx} pixels on a side.`, {
      widthPx,
      heightPx,
    });
  }
}

const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * The number of bytes a well-formed container ends at, for the formats whose producers never append anything: a PNG
 * ends with its IEND chunk, a WebP with the length its RIFF header declares. Bytes past that end are another file
 * riding along (a polyglot: PNG + ZIP, WebP + HTML). Re-encoding would drop them anyway; refusing says so plainly.
 * JPEG is left out on purpose: phones append data after the end-of-image marker (motion photos carry an MP4 there),
 * and the re-encode discards it. Returns undefined when the structure is not walkable (the decoder then decides).
 */
export function containerEndOffset(bytes: Uint8Array, type: StoredImageType): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (type === 'image/png') {
    if (bytes.length < 8 || pngSignature.some((byte, index) => bytes[index] !== byte)) return undefined;
    let offset = 8;
    // Each chunk is length (4) + type (4) + data + CRC (4); the walk is one step per chunk, so bounded by size / 12.
    while (offset + 12 <= bytes.length) {
      const length = view.getUint32(offset);
      const isEnd = bytes[offset + 4] === 0x49 && bytes[offset + 5] === 0x45 && bytes[offset + 6] === 0x4e && bytes[offset + 7] === 0x44;
      offset += 12 + length;
      if (isEnd) return offset;
    }
    return undefined;
  }
  if (type === 'image/webp') {
    if (bytes.length < 12) return undefined;
    const riffSize = view.getUint32(4, true);
    // RIFF pads odd-sized payloads to an even length.
    return 8 + riffSize + (riffSize % 2);
  }
  return undefined;
}

/** Refuses a PNG or WebP that carries bytes after its own end (see containerEndOffset). */
export function assertNoTrailingData(bytes: Uint8Array, type: StoredImageType): void {
  const end = containerEndOffset(bytes, type);
  if (end !== undefined && end < bytes.length) {
    throw new AppError('validation', 'The image file has extra data after the picture. Please send the photo itself.', {
      trailingBytes: bytes.length - end,
    });
  }
}
