// A streaming CSV reader (RFC 4180: comma separated, double-quoted fields with "" for a quote, CRLF or LF line ends,
// a UTF-8 byte-order mark ignored) for imports of files larger than memory: it holds one record at a time and yields
// each with the line it started on, so a rejected row can be reported by its line number. No package does this in the
// installed dependencies; the format is small enough that this is shorter than a wrapper would be.

export interface CsvRecord {
  /** 1-based line of the file on which the record starts (a quoted field may span lines). */
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.line = line;
  }
}

/** Bounds one field and one record so a file without line ends (or a stray quote) cannot grow memory without limit. */
export interface CsvLimits {
  maxFieldChars: number;
  maxFields: number;
}

const defaultLimits: CsvLimits = { maxFieldChars: 64 * 1024, maxFields: 200 };

/** Parses chunks of text (or bytes, decoded as UTF-8) into records. Empty lines are skipped. */
export async function* readCsv(source: AsyncIterable<string | Uint8Array>, limits: CsvLimits = defaultLimits): AsyncGenerator<CsvRecord> {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let fields: string[] = [];
  let field = '';
  let quoted = false; // inside a quoted field
  let afterQuote = false; // just read the closing quote of a quoted field
  let fieldStarted = false;
  let line = 1;
  let recordLine = 1;
  let first = true;
  let pendingCr = false;
  let quoteSeen = false;

  const endField = (): void => {
    if (fields.length >= limits.maxFields) throw new CsvSyntaxError(recordLine, `more than ${limits.maxFields} fields`);
    fields.push(field);
    field = '';
    afterQuote = false;
    fieldStarted = false;
  };

  for await (const chunk of source) {
    let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    const records: CsvRecord[] = [];
    for (let index = 0; index < text.length; index++) {
      const char = text[index]!;
      if (pendingCr) {
        pendingCr = false;
        if (char === '\n') continue;
      }
      if (quoted) {
        if (char === '"') {
          // Either the closing quote or the first of a doubled one: the next character (maybe in the next chunk) tells.
          quoted = false;
          quoteSeen = true;
        } else {
          if (char === '\n') line++;
          field += char;
          if (field.length > limits.maxFieldChars) throw new CsvSyntaxError(recordLine, `a field longer than ${limits.maxFieldChars} characters (an unclosed quote?)`);
        }
        continue;
      }
      if (quoteSeen) {
        quoteSeen = false;
        if (char === '"') {
          field += '"';
          quoted = true;
          continue;
        }
        afterQuote = true;
      }
      if (char === ',') {
        endField();
        continue;
      }
      if (char === '\n' || char === '\r') {
        if (char === '\r') pendingCr = true;
        if (fieldStarted || afterQuote || fields.length > 0 || field.length > 0) {
          endField();
          records.push({ line: recordLine, fields });
          fields = [];
        }
        line++;
        recordLine = line;
        continue;
      }
      if (afterQuote) throw new CsvSyntaxError(recordLine, 'text after a closing quote (a quote inside a field must be doubled)');
      if (char === '"' && !fieldStarted) {
        quoted = true;
        fieldStarted = true;
        continue;
      }
      fieldStarted = true;
      field += char;
      if (field.length > limits.maxFieldChars) throw new CsvSyntaxError(recordLine, `a field longer than ${limits.maxFieldChars} characters`);
    }
    for (const record of records) yield record;
  }
  if (quoteSeen) afterQuote = true;
  if (quoted) throw new CsvSyntaxError(recordLine, 'a quoted field is not closed before the end of the file');
  if (fieldStarted || afterQuote || fields.length > 0 || field.length > 0) {
    endField();
    yield { line: recordLine, fields };
  }
}
