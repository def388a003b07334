// Writes the npm package's declarations (`npm run build` runs it): one self-contained file per entry of package.json's
// `exports`, dist/lib/NAME.d.ts for `require` and the same text as dist/lib/NAME.d.mts for `import` (without it an
// ESM importer would read the .d.ts as CommonJS). Bundled by dts-bundle-generator, so the drawing code's
// declarations do not drag its source layout into the package.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

/** package.json `exports` subpath → its source. */
export const ENTRIES = { index: 'src/index.ts', view: 'src/drawing/index.ts', cache: 'src/cache/index.ts', cluster: 'src/executors/cluster/index.ts' };

const work = mkdtempSync(join(tmpdir(), 'pyflow-types-'));
try {
  const tsconfig = join(work, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(ROOT, 'tsconfig.json'),
      compilerOptions: { stripInternal: true, typeRoots: [join(ROOT, 'node_modules', '@types')] },
      files: Object.values(ENTRIES).map((source) => join(ROOT, source)),
    }),
  );
  const config = join(work, 'dts.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      compilationOptions: { preferredConfigPath: tsconfig },
      entries: Object.entries(ENTRIES).map(([name, source]) => ({
        filePath: join(ROOT, source),
        outFile: join(ROOT, 'dist', 'lib', `${name}.d.ts`),
        noCheck: true,
        output: { noBanner: true, exportReferencedTypes: false },
      })),
    }),
  );
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'dts-bundle-generator', 'dist', 'bin', 'dts-bundle-generator.js'), '--silent', '--config', config],
    { cwd: ROOT, stdio: 'inherit' },
  );
  for (const name of Object.keys(ENTRIES)) copyFileSync(join(ROOT, 'dist', 'lib', `${name}.d.ts`), join(ROOT, 'dist', 'lib', `${name}.d.mts`));
} finally {
  rmSync(work, { recursive: true, force: true });
}
