import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * docs/benchmarks.md: a fixed header, then one section per benchmark between markers, so that a
 * run of some benchmarks replaces their sections and keeps the others' figures (each section says
 * when, where and with what command it was measured).
 */
export interface Section {
  name: string;
  title: string;
  provenance: string;
  body: string;
}

const header = (names: readonly string[]) => `# Benchmarks

What Herald's code costs in time and size, measured on one machine over loopback (127.0.0.1) in
local mode or in-process against the emulators (DynamoDB Local on Java, fauxqs): figures for
comparison between commits and with plain undici, not predictions of AWS. \`npm run bench\` runs
every benchmark below, each in a Node process of its own, and rewrites this file;
\`npm run bench -- delivery router\` runs some (names: ${names.join(', ')}) and
replaces only their sections. Every load loop is bounded in count and in time. Figures are
medians of several runs; each section names its command, commit and machine. No test asserts
on any of these timings.
`;

const markers = (name: string) => [`<!-- bench:${name} -->`, `<!-- /bench:${name} -->`] as const;

function render(section: Section): string {
  const [open, close] = markers(section.name);
  return `${open}\n## ${section.title}\n\n${section.provenance}\n\n${section.body.trim()}\n${close}`;
}

/** Writes the file with `fresh` sections replacing or joining those already there, in `order`. */
export function writeReport(file: string, order: readonly string[], fresh: readonly Section[]): void {
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const kept = new Map<string, string>();
  for (const name of order) {
    const [open, close] = markers(name);
    const start = previous.indexOf(open);
    const end = previous.indexOf(close);
    if (start >= 0 && end > start) kept.set(name, previous.slice(start, end + close.length));
  }
  for (const section of fresh) kept.set(section.name, render(section));
  const sections = order.flatMap((name) => {
    const text = kept.get(name);
    return text ? [text] : [];
  });
  writeFileSync(file, `${header(order)}\n${sections.join('\n\n')}\n`);
}
