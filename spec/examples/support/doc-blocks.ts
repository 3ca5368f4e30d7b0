import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// Reads the fenced code blocks of README.md and docs/*.md, with the marks of their info strings. The convention is
// described at the top of spec/examples/docs-snippets.spec.ts.

/** One fenced code block of a Markdown file. */
export interface DocBlock {
  /** The Markdown file, relative to the repository root: `docs/auth.md`. */
  file: string;
  /** The line of the opening fence, from 1. */
  line: number;
  /** The first word of the info string: `ts`, `js`, `sh`..., or `''` when there is none. */
  lang: string;
  /** The marks after the language: `fragment`, `output`, and `key=value` pairs (`run=server`, `with=client`). */
  marks: ReadonlyMap<string, string>;
  /** The code, without the fences and without the indentation of the opening fence. */
  code: string;
}

/** The Markdown files whose code blocks are checked. docs/api/ is TypeDoc's output, not committed. */
export function docFiles(root: string): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs];
}

/** `ts with=client file=a.ts` → lang `ts`, marks { with: 'client', file: 'a.ts' }; a bare word maps to ''. */
function parseInfo(info: string): Pick<DocBlock, 'lang' | 'marks'> {
  const [lang = '', ...words] = info.trim().split(/\s+/).filter(Boolean);
  const marks = new Map<string, string>();
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq === -1) marks.set(word, '');
    else marks.set(word.slice(0, eq), word.slice(eq + 1));
  }
  return { lang, marks };
}

/** Every fenced code block of one Markdown file (backtick or tilde fences, indented or not). */
export function readBlocks(root: string, file: string): DocBlock[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( {0,3})(`{3,}|~{3,})(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent = '', fence = '', info = ''] = open;
    const body: string[] = [];
    let j = i + 1;
    // A closing fence: the same character, at least as long, nothing after it (CommonMark).
    const close = new RegExp(`^ {0,3}${fence[0]}{${fence.length},}\\s*$`);
    for (; j < lines.length && !close.test(lines[j]!); j++) {
      body.push(lines[j]!.startsWith(indent) ? lines[j]!.slice(indent.length) : lines[j]!.trimStart());
    }
    blocks.push({ file, line: i + 1, ...parseInfo(info), code: body.join('\n') });
    i = j;
  }
  return blocks;
}

/** `docs/auth.md:31`, how failures name a block. */
export const where = (block: DocBlock): string => `${block.file}:${block.line}`;
