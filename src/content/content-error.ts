/** A problem in content/, named by file and field so whoever edits the course can fix it without a debugger. */
export class ContentError extends Error {
  constructor(
    readonly file: string,
    readonly field: string | null,
    readonly problem: string,
  ) {
    super(`${file}${field ? ` → ${field}` : ''}: ${problem}`);
    this.name = 'ContentError';
  }
}
