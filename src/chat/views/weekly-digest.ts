import { formatInZone } from '../../core/calendar.ts';
import type { Cohort } from '../../core/cohort.ts';
import { moduleLabel } from '../../core/course.ts';
import type { DigestFacts } from '../../core/weekly-digest.ts';
import type { Reply } from '../reply.ts';
import { placeMark } from './leaderboard-lines.ts';

/** The weekly digest in the cohort channel: the week's passes, finished modules, the top and who climbed, what is next. */
export function weeklyDigestReply(facts: DigestFacts, cohort: Cohort): Reply {
  const fields = [];
  if (facts.finished.length > 0) {
    fields.push({ name: 'Finished a module', value: facts.finished.map((f) => `🎓 ${f.name} — module ${String(f.module).padStart(2, '0')}`).join('\n') });
  }
  if (facts.top.length > 0) {
    const climbed = new Map(facts.movedUp.map((m) => [m.name, m]));
    fields.push({
      name: 'Leaderboard',
      value: facts.top
        .map((s) => {
          const up = climbed.get(s.displayName);
          const move = up ? (up.from === undefined ? ' (new)' : ` (▲ from ${up.from})`) : '';
          return `${placeMark(s.rank, s.points)} ${s.displayName} — ${s.points} pts${move}`;
        })
        .join('\n'),
    });
  }
  if (facts.next) fields.push({ name: 'Next deadline', value: `${moduleLabel(facts.next.module)}, ${formatInZone(facts.next.dueAt, cohort.timezone)}` });
  return {
    title: `📅 ${cohort.name}: the week in review`,
    text: `${facts.passes} exercise${facts.passes === 1 ? '' : 's'} passed this week.`,
    fields,
    footer: `${facts.late ? 'Sent late: the bot was offline at digest time. ' : ''}/leaderboard shows everyone.`,
    actions: [{ label: 'My next step', command: 'next-module', style: 'primary' }],
    tone: 'info',
    private: false,
  };
}
