/**
 * Reads a Bot API call sent as multipart/form-data (what grammY sends when a call uploads a file) into the same
 * parameters a JSON call has: fields as values (JSON objects parsed), and each `attach://<id>` field replaced by the
 * bytes of the part it names.
 */

/** Parses `body`; throws on a body that is not multipart with the content type's boundary. */
export function parseMultipart(body: Buffer, contentType: string): Record<string, unknown> {
  const boundary = /boundary=("?)([^";]+)\1/i.exec(contentType)?.[2];
  if (!boundary) throw new Error("multipart body without a boundary");
  const fields: Record<string, unknown> = {};
  const files = new Map<string, Uint8Array>();
  for (const part of splitParts(body, boundary)) {
    const headerEnd = part.indexOf("\r\n\r\n");
    if (headerEnd < 0) continue;
    const headers = part.subarray(0, headerEnd).toString("utf8");
    const content = part.subarray(headerEnd + 4);
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    if (!name) continue;
    if (/filename=/i.test(headers)) files.set(name, new Uint8Array(content));
    else fields[name] = fieldValue(content.toString("utf8"));
  }
  for (const [key, value] of Object.entries(fields)) {
    const id = typeof value === "string" ? /^attach:\/\/(.+)$/.exec(value)?.[1] : undefined;
    if (id !== undefined) fields[key] = files.get(id);
  }
  return fields;
}

/** The parts between `--boundary` lines, without their framing line breaks. */
function splitParts(body: Buffer, boundary: string): Buffer[] {
  const marker = Buffer.from(`--${boundary}`);
  const parts: Buffer[] = [];
  let start = body.indexOf(marker);
  while (start >= 0) {
    const from = start + marker.length;
    if (body.subarray(from, from + 2).toString() === "--") break; // the closing marker
    const next = body.indexOf(marker, from);
    if (next < 0) break;
    parts.push(body.subarray(from + 2, next - 2)); // skip "\r\n" after the marker and before the next
    start = next;
  }
  return parts;
}

function fieldValue(raw: string): unknown {
  if (!/^[[{]/.test(raw)) return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}
