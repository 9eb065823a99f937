import type { Request } from 'express';
import busboy from 'busboy';
import type { Readable } from 'node:stream';
import { ApiError } from './errors';

/** How a route that takes a file documents it (OpenAPI): the media type of the body, or a multipart field. */
export interface Upload {
  mediaType: string;
  multipartField: string;
}

/**
 * An uploaded file as UTF-8 text, chunk by chunk as it arrives: the request body, or the named
 * field of a multipart form. Nothing is buffered whole, so files of any size use little memory.
 */
export async function* uploadedText(req: Request, upload: Upload): AsyncGenerator<string> {
  const type = req.get('content-type') ?? '';
  let source: AsyncIterable<Buffer>;
  if (/^multipart\/form-data/i.test(type)) source = await multipartFile(req, upload.multipartField);
  else if (type.toLowerCase().startsWith(upload.mediaType)) source = req;
  else throw new ApiError(415, 'unsupported_media_type', `Send the file as the body with Content-Type: ${upload.mediaType}, or as the multipart field "${upload.multipartField}"`);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const chunk of source) yield decoder.decode(chunk, { stream: true });
    yield decoder.decode();
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_ENCODING_INVALID_ENCODED_DATA') throw new ApiError(400, 'not_utf8', 'The file is not UTF-8 text; save it as UTF-8 and send it again');
    throw err;
  }
}

/** The stream of one multipart field; the other parts are skipped. */
function multipartFile(req: Request, field: string): Promise<Readable> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers });
    } catch {
      reject(new ApiError(400, 'bad_multipart', 'The multipart body could not be read (is the boundary missing?)'));
      return;
    }
    let found = false;
    parser.on('file', (name, stream) => {
      if (name === field && !found) {
        found = true;
        resolve(stream);
      } else stream.resume();
    });
    parser.on('error', () => reject(new ApiError(400, 'bad_multipart', 'The multipart body could not be read')));
    parser.on('close', () => {
      if (!found) reject(new ApiError(400, 'file_missing', `Send the CSV file in the multipart field "${field}"`));
    });
    req.pipe(parser);
  });
}
