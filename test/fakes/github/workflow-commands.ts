/**
 * What GitHub Actions makes of a step's log: `::error`, `::warning` and `::notice` workflow commands become check-run
 * annotations (https://docs.github.com/actions/reference/workflow-commands-for-github-actions). GitHub keeps at most
 * 10 of each level per step; a command without `file` is annotated on `.github`, line 1.
 */
export interface FakeAnnotation {
  path: string;
  startLine: number;
  endLine: number;
  level: 'failure' | 'warning' | 'notice';
  title: string | null;
  message: string;
}

const LEVELS = { error: 'failure', warning: 'warning', notice: 'notice' } as const;
export const ANNOTATIONS_PER_LEVEL_PER_STEP = 10;

/** The workflow command escapes, undone: `%25`, `%0D`, `%0A`, and in property values also `%3A` and `%2C`. */
function unescape(text: string, inProperty: boolean): string {
  let result = text.replace(/%0D/g, '\r').replace(/%0A/g, '\n');
  if (inProperty) result = result.replace(/%3A/g, ':').replace(/%2C/g, ',');
  return result.replace(/%25/g, '%');
}

/** The annotations one step's output creates, as GitHub Actions would record them. */
export function annotationsFromStepLog(log: string): FakeAnnotation[] {
  const annotations: FakeAnnotation[] = [];
  const counts = new Map<string, number>();
  for (const line of log.split('\n')) {
    const match = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line.replace(/\r$/, ''));
    if (!match) continue;
    const level = LEVELS[match[1] as keyof typeof LEVELS];
    const seen = counts.get(level) ?? 0;
    counts.set(level, seen + 1);
    if (seen >= ANNOTATIONS_PER_LEVEL_PER_STEP) continue;
    const properties = new Map(
      (match[2] ?? '')
        .split(',')
        .filter((p) => p.includes('='))
        .map((p) => [p.slice(0, p.indexOf('=')).trim(), unescape(p.slice(p.indexOf('=') + 1), true)] as const),
    );
    const line_ = Number(properties.get('line') ?? 1) || 1;
    annotations.push({
      path: properties.get('file') ?? '.github',
      startLine: line_,
      endLine: Number(properties.get('endLine') ?? line_) || line_,
      level,
      title: properties.get('title') ?? null,
      message: unescape(match[3] ?? '', false),
    });
  }
  return annotations;
}
