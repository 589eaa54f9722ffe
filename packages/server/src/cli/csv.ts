// A small RFC 4180 reader: comma-separated, fields optionally in double quotes ("" is a quote),
// quoted fields may hold commas and line breaks, records end with LF or CRLF. Each record keeps the
// line it starts on, so a bad row can be reported where an editor shows it.

export interface CsvRecord {
  readonly line: number;
  readonly fields: readonly string[];
}

export class CsvError extends Error {
  override readonly name = 'CsvError';
}

export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a byte-order mark is not part of the first name

  const endRecord = () => {
    fields.push(field);
    // A blank line is no record (nor is the end of a file that ends with a newline).
    if (fields.length > 1 || fields[0] !== '') records.push({ line: recordLine, fields });
    fields = [];
    field = '';
  };

  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"' && field === '') {
      const start = line;
      i++;
      for (;;) {
        if (i >= text.length) throw new CsvError(`line ${start}: a quoted field is never closed`);
        const c = text[i]!;
        if (c === '"' && text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (c === '"') {
          i++;
          break;
        } else {
          if (c === '\n') line++;
          field += c;
          i++;
        }
      }
      const next = text[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        throw new CsvError(`line ${line}: text after a closing quote; write a quote inside a quoted field as ""`);
      }
    } else if (ch === ',') {
      fields.push(field);
      field = '';
      i++;
    } else if (ch === '\n' || ch === '\r') {
      endRecord();
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
    } else {
      field += ch;
      i++;
    }
  }
  endRecord();
  return records;
}
