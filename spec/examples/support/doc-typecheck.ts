import { join } from 'node:path';
import ts from 'typescript';
import { where, type DocBlock } from './doc-blocks';

// Type-checks code blocks of the docs in ONE TypeScript program: each block is a module of its own, in a virtual
// folder per Markdown file (so that `file=` names let one block import another), compiled against the built
// package's declarations as an application resolves them (the package's `exports`, `types` condition).

/**
 * Declarations a block asks for with `with=<name>` (comma-separated), prepended on one line so that line numbers
 * stay those of the Markdown file.
 */
export const PREAMBLES: Readonly<Record<string, string>> = {
  // A client created elsewhere, for the many blocks that show one call.
  client: "declare const client: import('rx-socketcluster').Client;",
  // The server URL, for blocks that show options next to it.
  url: 'declare const url: string;',
};

/**
 * Packages the docs import that the repository does not install: just enough of their API for the blocks that
 * use them.
 */
const STAND_INS = `
declare module '@react-native-async-storage/async-storage' {
  const AsyncStorage: {
    getItem(key: string): Promise<string | null>;
    setItem(key: string, value: string): Promise<void>;
    removeItem(key: string): Promise<void>;
  };
  export default AsyncStorage;
}
declare module '@angular/ssr' {
  export function provideServerRendering(): import('@angular/core').EnvironmentProviders;
}
`;

/** A type error of one block, with its position in the Markdown file. */
export interface BlockDiagnostic {
  /** `docs/auth.md:45:7`: the file, the line of the error in it, and the column in the block. */
  at: string;
  message: string;
}

const EXTENSIONS: Readonly<Record<string, string>> = { ts: '.ts', js: '.mjs' };

/**
 * The errors reported for a js block, besides syntax errors (TS1xxx): undeclared names (2304, 2552), redeclared
 * ones (2451), imports that do not resolve (2307) or name nothing exported (2305, 2614, 2724). Its values come from
 * untyped code (the server packages, `unknown` payloads), so type errors would only ask for casts.
 */
const JS_ERRORS = new Set([2304, 2552, 2451, 2307, 2305, 2614, 2724]);

/**
 * Whether a block is type-checked: TypeScript or JavaScript, not a fragment, and not a file shown with `from=`
 * (checked where it lives, with its own imports and jest's globals).
 */
export const isTypeChecked = (block: DocBlock): boolean =>
  block.lang in EXTENSIONS && !block.marks.has('fragment') && !block.marks.has('from');

/** The virtual path of a block: `<root>/.doc-blocks/docs-auth/L31.ts`, or its `file=` name in that folder. */
function virtualPath(root: string, block: DocBlock): string {
  const folder = join(root, '.doc-blocks', block.file.replace(/\.md$/, '').replace(/\//g, '-'));
  return join(folder, block.marks.get('file') ?? `L${String(block.line)}${EXTENSIONS[block.lang]!}`);
}

/** The one-line preamble of a block (`''` without `with=`); throws for a name PREAMBLES does not define. */
function preamble(block: DocBlock): string {
  const names = block.marks.get('with')?.split(',').filter(Boolean) ?? [];
  return names
    .map((name) => {
      const declaration = PREAMBLES[name];
      if (declaration === undefined) throw new Error(`${where(block)}: unknown preamble with=${name}`);
      return declaration;
    })
    .join(' ');
}

/**
 * Type-checks `blocks` in one program and returns the errors of each, keyed by {@link where}. A block with no
 * error maps to an empty list.
 */
export function typeCheckBlocks(root: string, blocks: readonly DocBlock[]): Map<string, BlockDiagnostic[]> {
  const sources = new Map<string, { block: DocBlock; text: string }>();
  for (const block of blocks) {
    // `export {}` makes every block a module: its names stay its own, and top-level await is allowed.
    const text = `${preamble(block)}\n${block.code}\nexport {};\n`;
    sources.set(virtualPath(root, block), { block, text });
  }
  const standIns = join(root, '.doc-blocks', 'stand-ins.d.ts');

  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    // Node and browser blocks share the program: both sets of globals are declared.
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
    types: ['node'],
    typeRoots: [join(root, 'node_modules/@types')],
    strict: true,
    esModuleInterop: true,
    // Angular's decorators, as an Angular CLI project compiles them.
    experimentalDecorators: true,
    allowJs: true,
    checkJs: true,
    skipLibCheck: true,
    noEmit: true,
  };
  const host = ts.createCompilerHost(options, true);
  const virtualText = (path: string): string | undefined =>
    path === standIns ? STAND_INS : sources.get(path)?.text;
  // The host's own methods, kept bound to it, for the paths that are not blocks.
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  const directoryExists = host.directoryExists?.bind(host);
  host.fileExists = (path) => virtualText(path) !== undefined || fileExists(path);
  host.readFile = (path) => virtualText(path) ?? readFile(path);
  host.directoryExists = (path) =>
    path.startsWith(join(root, '.doc-blocks')) || (directoryExists?.(path) ?? true);
  host.getSourceFile = (path, languageVersion, onError, shouldCreate) => {
    const text = virtualText(path);
    return text === undefined
      ? getSourceFile(path, languageVersion, onError, shouldCreate)
      : ts.createSourceFile(path, text, languageVersion, true);
  };

  const program = ts.createProgram([...sources.keys(), standIns], options, host);
  const results = new Map<string, BlockDiagnostic[]>(blocks.map((block) => [where(block), []]));
  const unplaced: string[] = [];
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const source = diagnostic.file && sources.get(diagnostic.file.fileName);
    if (!source || diagnostic.start === undefined) {
      unplaced.push(`${diagnostic.file?.fileName ?? 'program'}: TS${String(diagnostic.code)} ${message}`);
      continue;
    }
    if (source.block.lang === 'js' && diagnostic.code >= 2000 && !JS_ERRORS.has(diagnostic.code)) continue;
    const { line, character } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start);
    // Line 0 is the preamble; line 1 is the first line of code, the line after the opening fence.
    const at = `${source.block.file}:${String(source.block.line + line)}:${String(character + 1)}`;
    results.get(where(source.block))!.push({ at, message: `TS${String(diagnostic.code)} ${message}` });
  }
  if (unplaced.length > 0) throw new Error(`The doc blocks' program has errors:\n${unplaced.join('\n')}`);
  return results;
}
