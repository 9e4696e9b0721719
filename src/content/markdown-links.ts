/** `[text](target "title")` outside code; web, mail, absolute and in-page links are left alone. */
const LINK = /\]\(([^)\s]+)((?:\s+"[^"]*")?)\)/g;
const CODE = /```[\s\S]*?```|`[^`\n]*`/g;

function isRelative(target: string): boolean {
  return !/^([a-z][a-z0-9+.-]*:|#|\/)/i.test(target);
}

/** Relative link targets, without anchors and URL-decoded: the files a markdown document points at. */
export function relativeLinks(markdown: string): string[] {
  const targets: string[] = [];
  for (const match of markdown.replace(CODE, '').matchAll(LINK)) {
    const target = match[1] ?? '';
    const file = isRelative(target) ? decodeURI(target.split('#')[0] ?? '') : '';
    if (file) targets.push(file);
  }
  return targets;
}

/** Rewrites relative link targets (code spans and blocks untouched); `rewrite` returns the new target or undefined to keep it. */
export function rewriteRelativeLinks(markdown: string, rewrite: (target: string) => string | undefined): string {
  return markdown
    .split(/(```[\s\S]*?```|`[^`\n]*`)/g)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part.replace(LINK, (whole, target: string, title: string) => {
            if (!isRelative(target)) return whole;
            const next = rewrite(target);
            return next === undefined ? whole : `](${next}${title})`;
          }),
    )
    .join('');
}
