// After-sales image intake (AS-9): reads the type from the bytes, refuses what is not a plain photo, re-encodes it
// without metadata and stores the re-encoded bytes through the file storage port. Nothing is stored unless every
// check passed.
import { createHash } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import sharp, { type OutputInfo } from 'sharp';
import type { Ports } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { isSafeStorageKey } from '../../ports/file-storage.port.ts';
import {
  assertImageDimensions,
  assertImageSize,
  assertNoTrailingData,
  imageProcessingTimeoutSeconds,
  maxImagePixels,
  type StoredImageType,
} from './images.rules.ts';

export interface ImageIntakeCtx {
  ports: Pick<Ports, 'files'>;
}

export interface ImageUpload {
  bytes: Uint8Array;
  /** The name the browser sent; shown back in messages only. The bytes decide the type, never the name. */
  declaredName?: string;
  /** One storage folder segment per owner (a case ID): letters, digits, `-` and `_`. */
  ownerKey: string;
}

export interface AcceptedImage {
  key: string;
  contentType: StoredImageType;
  width: number;
  height: number;
  sizeBytes: number;
  /** Hex SHA-256 of the stored (re-encoded) bytes, which is also the file name: the same photo twice is one file. */
  sha256: string;
}

type SniffedType = StoredImageType | 'image/heic';

/** What file-type reports for the HEIF family (HEIC and its sequences, plain HEIF). */
const heifMimeTypes: ReadonlySet<string> = new Set(['image/heic', 'image/heif', 'image/heic-sequence', 'image/heif-sequence']);

/** What each stored type is called in the storage key and which sharp format the header must agree with. */
const storedFormats = {
  'image/jpeg': { extension: 'jpg', sharpFormat: 'jpeg' },
  'image/png': { extension: 'png', sharpFormat: 'png' },
  'image/webp': { extension: 'webp', sharpFormat: 'webp' },
} as const satisfies Record<StoredImageType, { extension: string; sharpFormat: string }>;

/**
 * Whether this installation's libvips decodes HEVC-coded HEIF (iPhone HEIC). sharp's prebuilt binaries carry libheif
 * with the AV1 decoder only (HEVC is patent-encumbered), and then list `.avif` as heifload's only suffix; a libvips
 * built with libde265 lists `.heic` too. Measured here with sharp 0.35.6 / libvips 8.18.8: `['.avif']`.
 */
export function heicDecodable(): boolean {
  return sharp.format.heif.input.fileSuffix?.includes('.heic') ?? false;
}

export const heicUnsupportedMessage =
  'HEIC photos are not supported on this installation. Please send the photo as JPEG, PNG or WebP ' +
  '(on an iPhone: Settings › Camera › Formats › Most Compatible).';

const unreadableMessage = 'The image could not be read: it may be damaged or incomplete. Please send the original photo.';

function notAnImage(declaredName: string | undefined): AppError {
  const named = declaredName ? ` "${declaredName.slice(0, 80)}"` : '';
  return new AppError('validation', `The file${named} is not a JPEG, PNG, WebP or HEIC image. The file's contents decide, not its name.`);
}

async function sniffType(bytes: Uint8Array, declaredName: string | undefined): Promise<SniffedType> {
  const sniffed = await fileTypeFromBuffer(bytes);
  const mime = sniffed?.mime;
  if (mime === 'image/jpeg' || mime === 'image/png' || mime === 'image/webp') return mime;
  if (mime !== undefined && heifMimeTypes.has(mime)) return 'image/heic';
  // An animated PNG is a PNG to most decoders, but only its first frame would be kept: say so instead.
  if (mime === 'image/apng') throw new AppError('validation', 'Animated images are not accepted. Please send a still photo.');
  throw notAnImage(declaredName);
}

/** sharp's errors name the pixel limit, truncation or a bad header; to the user each is one of two messages. */
function decodeError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message)) {
    return new AppError('validation', `The image is too large: at most ${maxImagePixels / 1_000_000} megapixels.`);
  }
  return new AppError('validation', unreadableMessage, { decoder: message.slice(0, 200) });
}

const ownerKeyPattern = /^[a-z0-9_-]{1,64}$/i;

/**
 * Accepts one after-sales photo (AS-9) or throws an AppError (`validation`, or `payload_too_large` over 10 MB) with a
 * message for the customer; on a refusal nothing has been written. The caller checks the case's image count first
 * (`assertImageCount`) and records the returned key on the case.
 *
 * The stored bytes are always our encoder's output: the image is turned upright by its EXIF orientation, then encoded
 * again without any metadata (sharp keeps none unless asked), so GPS positions, camera serials, XMP, ICC and comments
 * are gone, and so is anything a polyglot hid outside the pixels. JPEG, PNG and WebP keep their format (PNG stays
 * lossless for screenshots of error messages); HEIC, where it decodes at all, becomes JPEG.
 */
export async function acceptImage(ctx: ImageIntakeCtx, upload: ImageUpload): Promise<AcceptedImage> {
  const { bytes, declaredName, ownerKey } = upload;
  if (!ownerKeyPattern.test(ownerKey)) throw new RangeError(`unsafe image owner key: ${JSON.stringify(ownerKey.slice(0, 70))}`);
  assertImageSize(bytes.length);

  const sniffed = await sniffType(bytes, declaredName);
  if (sniffed === 'image/heic' && !heicDecodable()) throw new AppError('validation', heicUnsupportedMessage);
  const outputType: StoredImageType = sniffed === 'image/heic' ? 'image/jpeg' : sniffed;
  if (sniffed !== 'image/heic') assertNoTrailingData(bytes, sniffed);

  // `failOn: 'warning'` (sharp's default, said out loud) refuses truncated and corrupt data instead of storing a
  // half-grey picture; `limitInputPixels` refuses a decompression bomb from its header, before decoding.
  const input = { limitInputPixels: maxImagePixels, failOn: 'warning' } as const;

  let headerWidth: number;
  let headerHeight: number;
  try {
    const header = await sharp(bytes, input).metadata();
    // file-type and libvips sniff separately; a file each reads as something else is a polyglot.
    const expectedFormat = sniffed === 'image/heic' ? 'heif' : storedFormats[sniffed].sharpFormat;
    if (header.format !== expectedFormat) throw notAnImage(declaredName);
    if ((header.pages ?? 1) > 1) throw new AppError('validation', 'Animated or multi-page images are not accepted. Please send a still photo.');
    headerWidth = header.width;
    headerHeight = header.height;
  } catch (error) {
    throw sniffed === 'image/heic' && !(error instanceof AppError) ? new AppError('validation', heicUnsupportedMessage) : decodeError(error);
  }
  assertImageDimensions(headerWidth, headerHeight);

  let output: { data: Buffer; info: OutputInfo };
  try {
    const pipeline = sharp(bytes, input).autoOrient().timeout({ seconds: imageProcessingTimeoutSeconds });
    switch (outputType) {
      case 'image/jpeg':
        // HEIC may carry alpha, which JPEG cannot; a white ground is what a viewer would show.
        pipeline.flatten({ background: '#ffffff' }).jpeg({ quality: 85 });
        break;
      case 'image/png':
        pipeline.png({ compressionLevel: 6 });
        break;
      case 'image/webp':
        pipeline.webp({ quality: 85 });
        break;
    }
    output = await pipeline.toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw sniffed === 'image/heic' ? new AppError('validation', heicUnsupportedMessage) : decodeError(error);
  }

  const stored = new Uint8Array(output.data.buffer, output.data.byteOffset, output.data.byteLength);
  const sha256 = createHash('sha256').update(stored).digest('hex');
  const key = `aftersales/${ownerKey}/${sha256}.${storedFormats[outputType].extension}`;
  if (!isSafeStorageKey(key)) throw new RangeError(`unsafe storage key: ${key}`);
  await ctx.ports.files.put(key, { bytes: stored, contentType: outputType });
  return { key, contentType: outputType, width: output.info.width, height: output.info.height, sizeBytes: stored.length, sha256 };
}
