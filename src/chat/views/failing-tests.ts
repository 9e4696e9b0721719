import type { FailingTests } from '../../core/cohort.ts';

const SHOWN = 3;
const MAX_SHOWN_NAME = 80;

/**
 * The failing tests of an exercise's latest run, as one line: "failing: `lru::evicts_least_recent`, … and 4 more".
 * A few names, each bounded, so a field stays within a platform's limits however long a learner's test names are.
 */
export function failingTestsLine(tests: FailingTests): string | undefined {
  const total = tests.names.length + tests.more;
  if (total === 0) return undefined;
  const shown = tests.names.slice(0, SHOWN).map((name) => `\`${name.length > MAX_SHOWN_NAME ? `${name.slice(0, MAX_SHOWN_NAME - 1)}…` : name}\``);
  const rest = total - shown.length;
  return `failing: ${shown.join(', ')}${rest > 0 ? ` and ${rest} more` : ''}`;
}
