/**
 * A hand-written CSV tokenizer over one string (RFC 4180 quoting: `"a,b"`, `""` for a quote, newlines
 * inside quotes). Lines without a quote take a fast path that only searches for the delimiter.
 */

/** Records of a CSV text and the 1-based line each starts on. */
export interface CsvRecords {
  records: string[][];
  lines: number[];
  /** Lines that held nothing but whitespace or delimiters (skipped). */
  blankLines: number;
  /** Line where a quoted cell opened and never closed, if any (the rest of the text is that cell). */
  unterminatedQuoteLine?: number;
}

const QUOTE = 34;
const NEWLINE = 10;
const CARRIAGE_RETURN = 13;

function isBlank(text: string, start: number, end: number, delimiter: number): boolean {
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code !== delimiter && code !== 32 && code !== 9) return false;
  }
  return true;
}

/** Strip a UTF-8 byte-order mark and normalise old-Mac lone `\r` line ends. */
export function normalizeCsvText(text: string): string {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.indexOf('\n') < 0 && text.indexOf('\r') >= 0) text = text.replace(/\r/g, '\n');
  return text;
}

/** Split normalised CSV text into records of cells. */
export function tokenizeCsv(text: string, delimiter: string): CsvRecords {
  const delimiterCode = delimiter.charCodeAt(0);
  const records: string[][] = [];
  const lines: number[] = [];
  let blankLines = 0;
  let unterminatedQuoteLine: number | undefined;
  const length = text.length;
  let position = 0;
  let line = 1;
  let nextQuote = text.indexOf('"');
  if (nextQuote < 0) nextQuote = length;
  while (position < length) {
    let lineEnd = text.indexOf('\n', position);
    if (lineEnd < 0) lineEnd = length;
    let contentEnd = lineEnd;
    if (contentEnd > position && text.charCodeAt(contentEnd - 1) === CARRIAGE_RETURN) contentEnd--;
    if (nextQuote < position) {
      nextQuote = text.indexOf('"', position);
      if (nextQuote < 0) nextQuote = length;
    }
    if (nextQuote >= contentEnd) {
      // Fast path: no quote on this line.
      if (isBlank(text, position, contentEnd, delimiterCode)) {
        blankLines++;
      } else {
        const cells: string[] = [];
        let cellStart = position;
        for (let i = position; i < contentEnd; i++) {
          if (text.charCodeAt(i) === delimiterCode) {
            cells.push(text.slice(cellStart, i));
            cellStart = i + 1;
          }
        }
        cells.push(text.slice(cellStart, contentEnd));
        records.push(cells);
        lines.push(line);
      }
      position = lineEnd + 1;
      line++;
      continue;
    }
    // Slow path: a record with quotes, which may span several physical lines.
    const startLine = line;
    const cells: string[] = [];
    let cell = '';
    let i = position;
    let inQuotes = false;
    let quoteOpenedLine = line;
    let recordDone = false;
    while (i < length) {
      const code = text.charCodeAt(i);
      if (inQuotes) {
        if (code === QUOTE) {
          if (i + 1 < length && text.charCodeAt(i + 1) === QUOTE) {
            cell += '"';
            i += 2;
            continue;
          }
          inQuotes = false;
          i++;
          continue;
        }
        if (code === NEWLINE) line++;
        cell += text[i];
        i++;
        continue;
      }
      if (code === QUOTE && cell.trim() === '') {
        inQuotes = true;
        quoteOpenedLine = line;
        cell = '';
        i++;
        continue;
      }
      if (code === delimiterCode) {
        cells.push(cell);
        cell = '';
        i++;
        continue;
      }
      if (code === NEWLINE || (code === CARRIAGE_RETURN && i + 1 < length && text.charCodeAt(i + 1) === NEWLINE)) {
        i += code === NEWLINE ? 1 : 2;
        recordDone = true;
        break;
      }
      cell += text[i];
      i++;
    }
    if (inQuotes) unterminatedQuoteLine = quoteOpenedLine;
    cells.push(cell);
    if (cells.length === 1 && cells[0]!.trim() === '') blankLines++;
    else {
      records.push(cells);
      lines.push(startLine);
    }
    position = i;
    line++;
    if (!recordDone) break;
  }
  const result: CsvRecords = { records, lines, blankLines };
  if (unterminatedQuoteLine !== undefined) result.unterminatedQuoteLine = unterminatedQuoteLine;
  return result;
}

const DELIMITER_CANDIDATES = [',', ';', '\t', '|'] as const;

/**
 * Guess the delimiter from the first lines: the candidate whose per-line count is most often the
 * same non-zero number (a banner line or the header may differ; most lines agree).
 */
export function detectDelimiter(text: string): string {
  const sample: string[] = [];
  let position = 0;
  while (sample.length < 30 && position < text.length) {
    let end = text.indexOf('\n', position);
    if (end < 0) end = text.length;
    const line = text.slice(position, end);
    if (line.trim() !== '') sample.push(line);
    position = end + 1;
  }
  let best: string = ',';
  let bestScore = -1;
  let bestMode = 0;
  for (const candidate of DELIMITER_CANDIDATES) {
    const code = candidate.charCodeAt(0);
    const frequency = new Map<number, number>();
    for (const line of sample) {
      let count = 0;
      let inQuotes = false;
      for (let i = 0; i < line.length; i++) {
        const c = line.charCodeAt(i);
        if (c === QUOTE) inQuotes = !inQuotes;
        else if (c === code && !inQuotes) count++;
      }
      if (count > 0) frequency.set(count, (frequency.get(count) ?? 0) + 1);
    }
    let mode = 0;
    let score = 0;
    for (const [count, lines] of frequency) {
      if (lines > score || (lines === score && count > mode)) {
        score = lines;
        mode = count;
      }
    }
    if (score > bestScore || (score === bestScore && mode > bestMode)) {
      best = candidate;
      bestScore = score;
      bestMode = mode;
    }
  }
  return best;
}
