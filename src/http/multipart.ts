// multipart/form-data for the few routes that take files (after-sales photos, AS-9). Such a route declares its form
// as a zod body schema with `consumes: ['multipart/form-data']`, so the OpenAPI document shows the fields and the
// route guard sees a declared body (PL-13), and declares its limits in `config.multipart`, which the guard requires.
// Fastify cannot validate a streamed form, so `multipartRoute` swaps in a validator that leaves the body to the
// handler and validates params and query as usual; the handler reads the form with `readMultipartForm`, which holds
// every part to the route's limits and turns the parser's limit errors into clear AppErrors: a file over the size
// limit is 413 `payload_too_large`, too many files or fields a 400, a request that is not multipart a 400.
import type { FastifyRequest, FastifySchema, FastifySchemaCompiler } from 'fastify';
import type {} from '@fastify/multipart';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { AppError } from '../platform/errors.ts';

export interface MultipartLimits {
  /** Most files in one request. */
  files: number;
  /** Largest file in bytes (exactly this many is accepted; one more is 413). */
  fileSizeBytes: number;
  /** Most non-file fields, and the longest one in bytes. */
  fields: number;
  fieldSizeBytes: number;
  /** The one field name files arrive under. */
  fileField: string;
  /** The non-file fields the form has; any other is refused. */
  fieldNames: readonly string[];
  /** The message for a file over the limit (names the limit in the user's terms). */
  fileTooLargeMessage: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Required on routes that consume multipart/form-data (route-guards.ts). */
    multipart?: MultipartLimits;
  }
}

export const multipartContentType = 'multipart/form-data';

/** Whether a route's schema says it takes multipart/form-data. */
export function consumesMultipart(schema: FastifySchema | undefined): boolean {
  const consumes = (schema as { consumes?: unknown } | undefined)?.consumes;
  return Array.isArray(consumes) && consumes.includes(multipartContentType);
}

/** Body validation is the handler's (readMultipartForm + its own zod parse); params and query as every route. */
const skipBodyValidator: FastifySchemaCompiler<unknown> = (route) => {
  if (route.httpPart === 'body') return () => ({ value: undefined });
  return validatorCompiler(route as Parameters<typeof validatorCompiler>[0]);
};

/** The route options a multipart route adds to its own: the content type for the docs, and the validator. */
export function multipartRoute(): { validatorCompiler: FastifySchemaCompiler<unknown> } {
  return { validatorCompiler: skipBodyValidator };
}

export interface UploadedPart {
  filename: string | undefined;
  bytes: Uint8Array;
}

export interface MultipartForm {
  fields: Record<string, unknown>;
  files: UploadedPart[];
}

function limitError(error: unknown, limits: MultipartLimits): AppError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return new AppError('payload_too_large', limits.fileTooLargeMessage, { maxFileBytes: limits.fileSizeBytes });
    case 'FST_FILES_LIMIT':
      return new AppError('validation', `Send at most ${limits.files} files.`, { field: limits.fileField, maxFiles: limits.files });
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
      return new AppError('validation', 'The form has more fields than it should.');
    case 'FST_INVALID_JSON_FIELD_ERROR':
    case 'FST_PROTO_VIOLATION':
    case 'FST_MP_PREMATURE_CLOSE':
      return new AppError('bad_request', 'The form could not be read. Please send it again.');
    default:
      return undefined;
  }
}

/** Reads the whole form within the route's limits; files are buffered (the limits bound that to files × size). */
export async function readMultipartForm(request: FastifyRequest, limits: MultipartLimits): Promise<MultipartForm> {
  if (!request.isMultipart()) throw new AppError('bad_request', 'Send the form as multipart/form-data.');
  const form: MultipartForm = { fields: {}, files: [] };
  try {
    const parts = request.parts({
      limits: { files: limits.files, fileSize: limits.fileSizeBytes, fields: limits.fields, fieldSize: limits.fieldSizeBytes, parts: limits.files + limits.fields, headerPairs: 50 },
    });
    for await (const part of parts) {
      if (part.type === 'file') {
        if (part.fieldname !== limits.fileField) {
          part.file.resume();
          throw new AppError('validation', `Files go in the field "${limits.fileField}".`, { field: part.fieldname.slice(0, 50) });
        }
        const bytes = await part.toBuffer();
        form.files.push({ filename: part.filename || undefined, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
      } else {
        if (!limits.fieldNames.includes(part.fieldname)) throw new AppError('validation', `The form has no field "${part.fieldname.slice(0, 50)}".`);
        if (part.valueTruncated) throw new AppError('validation', `The field "${part.fieldname}" is too long.`, { field: part.fieldname });
        if (part.fieldname in form.fields) throw new AppError('validation', `The field "${part.fieldname}" is sent twice.`, { field: part.fieldname });
        form.fields[part.fieldname] = part.value;
      }
    }
  } catch (error) {
    throw limitError(error, limits) ?? error;
  }
  return form;
}
