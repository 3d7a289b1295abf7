/**
 * Type-checks a model file before it is imported (`--model FILE.ts`): tsx
 * strips types without checking them, so a string assigned to a number field
 * would otherwise run. The TypeScript compiler API checks the one file (and
 * what it imports) with the project's compiler options. TypeScript is a
 * development dependency of crsim: where it cannot be resolved (a production
 * install), the check is skipped with a note on standard error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { packageRoot } from '../package.ts';
import { UsageError } from './errors.ts';

/** tsconfig.json's compilerOptions (test/typecheck.test.ts keeps the two the same); tsconfig.json is not shipped. */
export const PROJECT_OPTIONS = {
  target: 'ES2022',
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  allowImportingTsExtensions: true,
  rewriteRelativeImportExtensions: true,
  verbatimModuleSyntax: true,
  strict: true,
  noUncheckedIndexedAccess: true,
  noImplicitOverride: true,
  exactOptionalPropertyTypes: false,
  skipLibCheck: true,
  resolveJsonModule: true,
  types: ['node'],
  noEmit: true,
} as const;

/** At most this many errors are listed. */
const MAX_SHOWN = 5;

type Ts = typeof import('typescript');

function loadTypeScript(): Ts | null {
  try {
    return createRequire(join(packageRoot(), 'package.json'))('typescript') as Ts;
  } catch {
    return null;
  }
}

/**
 * Throws a UsageError listing `file:line:col: message` for each type error of
 * `file`; returns what was done, for a note: `checked` or `skipped: why`.
 */
export function typecheckModelFile(file: string, shown = file): { checked: boolean; note?: string; ms: number } {
  const t0 = Date.now();
  const ts = loadTypeScript();
  if (!ts) return { checked: false, note: `--model: '${shown}' not type-checked: typescript is not installed beside crsim (npm install typescript, or pass --no-typecheck to silence this)`, ms: 0 };
  const types = join(packageRoot(), 'node_modules', '@types');
  const converted = ts.convertCompilerOptionsFromJson(
    // crsim's loader runs the file as an ES module wherever it is (no package.json needed), and nothing is emitted
    { ...PROJECT_OPTIONS, module: 'Preserve', moduleResolution: 'Bundler', rewriteRelativeImportExtensions: false },
    packageRoot(),
  );
  // Node's types cost about a third of the check: loaded only for a model that imports node:…
  const node = existsSync(types) && /['"]node:/.test(readFileSync(file, 'utf8'));
  const options = { ...converted.options, noEmit: true, lib: ['lib.es2022.d.ts'], ...(node ? { typeRoots: [types] } : { types: [] }) };
  const program = ts.createProgram({ rootNames: [file], options });
  const own = program.getSourceFile(file);
  // the model's own errors: crsim's sources were checked when crsim was built
  const diagnostics = [...program.getOptionsDiagnostics(), ...(own ? [...program.getSyntacticDiagnostics(own), ...program.getSemanticDiagnostics(own)] : [])].filter(
    // a module that cannot be found is the loader's to report (its message names what is missing, as before)
    (d) => d.category === ts.DiagnosticCategory.Error && d.code !== 2307,
  );
  if (diagnostics.length) {
    const lines = diagnostics.slice(0, MAX_SHOWN).map((d) => {
      const text = ts.flattenDiagnosticMessageText(d.messageText, ' ');
      if (!d.file || d.start === undefined) return `  ${text}`;
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      return `  ${relative(process.cwd(), d.file.fileName) || d.file.fileName}:${line + 1}:${character + 1}: ${text}`;
    });
    const more = diagnostics.length > MAX_SHOWN ? [`  … and ${diagnostics.length - MAX_SHOWN} more`] : [];
    throw new UsageError(
      `--model: '${shown}' does not type-check (${diagnostics.length} error${diagnostics.length === 1 ? '' : 's'}; expected a file tsc accepts, or pass --no-typecheck):\n${[...lines, ...more].join('\n')}`,
    );
  }
  return { checked: true, ms: Date.now() - t0 };
}
