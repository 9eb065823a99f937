import type { Request } from 'express';
import busboy from 'busboy';
import type { Readable } from 'node:stream';
import { ApiError } from './errors';

/** How a route that takes a file documents it (OpenAPI): the media type of the body, or a multipart field. */
export interface Upload {
  mediaType: string;
  multipartField: string;
}

/** The files of a page's multipart form, by field, whole. */
export type PageFiles = Record<string, { filename: string | null; data: Buffer }>;

/** The uploaded file as it arrives: the request body of the upload's media type, or the multipart field, with the part's file name. */
async function fileSource(
  req: Request,
  upload: Upload,
): Promise<{ filename: string | null; chunks: AsyncIterable<Buffer> | Iterable<Buffer> }> {
  // A page's form has read its multipart body already (platform/pages/kit.ts): the file is taken from there.
  const fromPage = (req.res?.locals.pageFiles as PageFiles | undefined)?.[upload.multipartField];
  if (fromPage) return { filename: fromPage.filename, chunks: [fromPage.data] };
  const type = req.get('content-type') ?? '';
  if (/^multipart\/form-data/i.test(type)) return multipartFile(req, upload.multipartField);
  if (type.toLowerCase().startsWith(upload.mediaType)) return { filename: null, chunks: req };
  throw new ApiError(
    415,
    'unsupported_media_type',
    `Send the file as the body with Content-Type: ${upload.mediaType}, or as the multipart field "${upload.multipartField}"`,
  );
}

/**
 * An uploaded file as UTF-8 text, chunk by chunk as it arrives. Nothing is buffered whole, so
 * files of any size use little memory. Text holds no U+0000 (A6: PostgreSQL cannot store it; the
 * fatal decoder already refuses anything that is not UTF-8, lone surrogates included).
 */
export async function* uploadedText(req: Request, upload: Upload): AsyncGenerator<string> {
  const { chunks } = await fileSource(req, upload);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const text = (s: string) => {
    if (s.includes('\0'))
      throw new ApiError(400, 'file_not_text', 'The file holds a NUL character (U+0000); it is not a text file');
    return s;
  };
  try {
    for await (const chunk of chunks) yield text(decoder.decode(chunk, { stream: true }));
    yield text(decoder.decode());
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_ENCODING_INVALID_ENCODED_DATA')
      throw new ApiError(400, 'not_utf8', 'The file is not UTF-8 text; save it as UTF-8 and send it again');
    throw err;
  }
}

/** An uploaded file of at most `maxBytes`, whole, with the name the multipart part gave it (if any). */
export async function uploadedFile(
  req: Request,
  upload: Upload,
  maxBytes: number,
): Promise<{ filename: string | null; data: Buffer }> {
  const { filename, chunks } = await fileSource(req, upload);
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.length;
    if (size > maxBytes)
      throw new ApiError(413, 'file_too_large', `The file is larger than ${Math.round(maxBytes / 1_048_576)} MB`);
    parts.push(chunk);
  }
  if (size === 0) throw new ApiError(400, 'file_empty', 'The file is empty');
  return { filename, data: Buffer.concat(parts) };
}

/** The stream of one multipart field; the other parts are skipped. */
function multipartFile(req: Request, field: string): Promise<{ filename: string | null; chunks: Readable }> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, defParamCharset: 'utf8' });
    } catch {
      reject(new ApiError(400, 'bad_multipart', 'The multipart body could not be read (is the boundary missing?)'));
      return;
    }
    let found = false;
    parser.on('file', (name, stream, info) => {
      if (name === field && !found) {
        found = true;
        resolve({ filename: info.filename ?? null, chunks: stream });
      } else stream.resume();
    });
    parser.on('error', () => reject(new ApiError(400, 'bad_multipart', 'The multipart body could not be read')));
    parser.on('close', () => {
      if (!found) reject(new ApiError(400, 'file_missing', `Send the file in the multipart field "${field}"`));
    });
    req.pipe(parser);
  });
}
