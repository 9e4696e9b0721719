/**
 * A strict multipart/form-data reader (RFC 7578) for the fakes: what Node's fetch (undici's FormData) sends for
 * discord.js / @discordjs/rest and for @slack/web-api. Parts are split on `--boundary` lines with CRLF line ends;
 * each has a `Content-Disposition: form-data; name="…"` header, a `filename` for files, and maybe a Content-Type.
 * A body that breaks the format throws MultipartError, which the fakes answer as the platform answers bad bodies.
 */

export interface MultipartPart {
  /** The form field name, e.g. `payload_json` or `files[0]`. */
  name: string;
  /** Present for a file part (possibly empty, which browsers send for "no file"). */
  filename?: string;
  /** The part's Content-Type header as sent, if any (undici sends `application/octet-stream` for a Blob without a type). */
  contentType?: string;
  data: Buffer;
}

export class MultipartError extends Error {}

/** The boundary of a `multipart/form-data` content type, or undefined if the content type is something else. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\s*(;|$)/i.test(contentType)) return undefined;
  const match = /;\s*boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw new MultipartError('multipart/form-data without a boundary');
  return boundary;
}

export function isMultipart(contentType: string | undefined): boolean {
  return contentType !== undefined && /^multipart\/form-data\s*(;|$)/i.test(contentType);
}

/** The parts of a multipart/form-data body, in order; throws MultipartError for a malformed body. */
export function parseMultipart(body: Buffer, contentType: string | undefined): MultipartPart[] {
  const boundary = multipartBoundary(contentType);
  if (!boundary) throw new MultipartError(`not multipart/form-data: ${contentType ?? 'no content type'}`);
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  // The body starts with the first delimiter (a preamble before it is allowed and ignored).
  let at = body.indexOf(delimiter);
  if (at < 0) throw new MultipartError('the boundary never appears in the body');
  for (;;) {
    at += delimiter.length;
    // `--` right after a delimiter closes the body.
    if (body.subarray(at, at + 2).toString('latin1') === '--') return parts;
    if (body.subarray(at, at + 2).toString('latin1') !== '\r\n') throw new MultipartError('a boundary line must end with CRLF');
    at += 2;
    const headerEnd = body.indexOf('\r\n\r\n', at);
    if (headerEnd < 0) throw new MultipartError('a part has no blank line after its headers');
    const headers = parseHeaders(body.subarray(at, headerEnd).toString('utf8'));
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next < 0) throw new MultipartError('the body ends without a closing boundary');
    parts.push(toPart(headers, body.subarray(headerEnd + 4, next)));
    at = next + 2;
  }
}

function parseHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MultipartError(`a malformed part header: ${JSON.stringify(line)}`);
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

function toPart(headers: Map<string, string>, data: Buffer): MultipartPart {
  const disposition = headers.get('content-disposition');
  if (!disposition || !/^form-data\s*(;|$)/i.test(disposition)) throw new MultipartError('a part without Content-Disposition: form-data');
  const name = param(disposition, 'name');
  if (name === undefined) throw new MultipartError('a part without a name');
  const filename = param(disposition, 'filename');
  const contentType = headers.get('content-type');
  return { name, ...(filename !== undefined ? { filename } : {}), ...(contentType !== undefined ? { contentType } : {}), data: Buffer.from(data) };
}

/**
 * A quoted (or bare) parameter of the disposition. The WHATWG FormData encoding (undici's) escapes `"`, CR and LF
 * in names and filenames as %22, %0D and %0A; those are undone, nothing else is.
 */
function param(disposition: string, key: string): string | undefined {
  const match = new RegExp(`;\\s*${key}="((?:[^"\\\\]|\\\\.)*)"|;\\s*${key}=([^;\\s]+)`, 'i').exec(disposition);
  const raw = match?.[1] ?? match?.[2];
  if (raw === undefined) return undefined;
  return raw.replace(/%22/g, '"').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n');
}
