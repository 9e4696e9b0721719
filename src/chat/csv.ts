/**
 * CSV as spreadsheets open it (RFC 4180): fields quoted when they hold a comma, quote, line break or edge space;
 * CRLF line ends; a UTF-8 byte order mark so Excel reads names in any script. A cell that a spreadsheet would run as
 * a formula (starting with =, +, -, @, a tab or a carriage return) is prefixed with an apostrophe (OWASP's advice),
 * so a display name like `=HYPERLINK(…)` stays text.
 */
export function toCsv(rows: readonly (readonly (string | number | null)[])[]): string {
  return `\uFEFF${rows.map((row) => row.map(cell).join(',')).join('\r\n')}\r\n`;
}

function cell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
