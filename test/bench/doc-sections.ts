/**
 * docs/benchmarks.md is shared: each writer (the engine bench, the console-query bench, hand-written
 * sections such as the bounce qualification) owns a part of it. A generated section lives between
 * `<!-- NAME:begin -->` and `<!-- NAME:end -->` and a writer replaces only its own; the rest of the file is
 * kept as it is.
 */
import fs from 'node:fs';

const TITLE = '# Benchmarks\n';

/**
 * Replaces the section `name` of `file` with `section`; a file without it gets it right after the title
 * (`top`) or at the end (`end`).
 */
export function writeSection(file: string, name: string, section: string, placement: 'top' | 'end'): void {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : TITLE;
  const block = `${begin}\n${section.trimEnd()}\n${end}\n`;
  const from = current.indexOf(begin);
  const to = current.indexOf(end);
  let next: string;
  if (from >= 0 && to > from) next = current.slice(0, from) + block + current.slice(to + end.length + 1);
  else if (placement === 'end') next = `${current.trimEnd()}\n\n${block}`;
  else {
    const body = current.startsWith(TITLE) ? current.slice(TITLE.length).trimStart() : current;
    next = `${TITLE}\n${block}${body ? `\n${body}` : ''}`;
  }
  fs.writeFileSync(file, next);
}
