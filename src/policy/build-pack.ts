/**
 * Builds a self-contained copy of the policy pack, for `pulumi policy publish`.
 *
 * `pulumi policy publish` runs `npm pack` in the pack's directory and Pulumi Cloud
 * later unpacks that tarball and runs `npm install` in it. `src/policy` cannot be
 * packed as it is: it imports the registry client from `src/client` and resolves its
 * dependencies from the repository's node_modules. This compiles the pack and the
 * modules it imports to JavaScript (a published pack has no TypeScript toolchain of
 * its own) with a package.json naming the only dependencies left at run time.
 *
 *   npx ts-node --transpile-only src/policy/build-pack.ts [out-dir]   # default dist/policy-pack
 *   cd dist/policy-pack && npm install && pulumi policy publish <org>
 */
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
const SRC = path.join(ROOT, 'src');
const PACK = path.join(SRC, 'policy');
/** What the compiled pack may require besides its own files and Node's built-ins. */
const RUNTIME_DEPENDENCIES = ['@pulumi/policy', '@pulumi/pulumi'];

interface PackageJson {
  name: string;
  version: string;
  description?: string;
  license?: string;
  dependencies?: Record<string, string>;
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/** Compiles `src/policy/index.ts` and what it imports into `outDir/<path under src>`. */
function compile(outDir: string): string[] {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    strict: true,
    skipLibCheck: true,
    types: ['node'],
    rootDir: SRC,
    outDir,
  };
  const program = ts.createProgram([path.join(PACK, 'index.ts')], options);
  const errors = ts.getPreEmitDiagnostics(program);
  if (errors.length > 0) {
    const host: ts.FormatDiagnosticsHost = {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => ROOT,
      getNewLine: () => '\n',
    };
    throw new Error(`the policy pack does not compile:\n${ts.formatDiagnostics(errors, host)}`);
  }
  const written: string[] = [];
  for (const source of program.getSourceFiles()) {
    // Type-only imports (the registry's response models) are in the program but not
    // needed at run time: only modules of the pack and the client are emitted.
    if (source.isDeclarationFile || !source.fileName.startsWith(SRC + path.sep)) continue;
    const relative = path.relative(SRC, source.fileName);
    if (!/^(policy|client)[\\/]/.test(relative)) continue;
    program.emit(source, (file, text) => {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      written.push(file);
    });
  }
  return written;
}

/** Every `require` of the compiled files resolves inside the pack or to a declared dependency. */
function checkRequires(files: string[]): void {
  const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  const problems: string[] = [];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    for (const [, target] of text.matchAll(/require\("([^"]+)"\)/g)) {
      if (target.startsWith('.')) {
        const resolved = path.resolve(path.dirname(file), target);
        if (!files.includes(`${resolved}.js`) && !files.includes(path.join(resolved, 'index.js')))
          problems.push(`${file} requires ${target}, which is not part of the pack`);
      } else if (!builtins.has(target) && !RUNTIME_DEPENDENCIES.includes(target)) {
        problems.push(`${file} requires ${target}, which is not a dependency of the pack`);
      }
    }
  }
  if (problems.length > 0)
    throw new Error(`the built policy pack is incomplete:\n  ${problems.join('\n  ')}`);
}

/** Builds the publishable pack into `outDir` (emptied first); returns the files written. */
export function buildPolicyPack(outDir: string): string[] {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const compiled = compile(outDir);
  checkRequires(compiled);

  const pack = readJson<PackageJson>(path.join(PACK, 'package.json'));
  const root = readJson<PackageJson>(path.join(ROOT, 'package.json'));
  const dependencies = Object.fromEntries(
    RUNTIME_DEPENDENCIES.map((name) => {
      const range = root.dependencies?.[name];
      if (!range) throw new Error(`package.json at ${ROOT} does not depend on ${name}.`);
      return [name, range];
    }),
  );
  const manifest = {
    name: pack.name,
    version: pack.version,
    description: pack.description,
    license: pack.license,
    main: 'policy/index.js',
    files: ['policy', 'client', 'PulumiPolicy.yaml'],
    dependencies,
  };
  const packageFile = path.join(outDir, 'package.json');
  fs.writeFileSync(packageFile, `${JSON.stringify(manifest, null, 2)}\n`);

  // The project file of the source pack, pointed at the compiled entry point.
  const project = fs
    .readFileSync(path.join(PACK, 'PulumiPolicy.yaml'), 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => (line.startsWith('main:') ? 'main: policy/index.js' : line));
  const projectFile = path.join(outDir, 'PulumiPolicy.yaml');
  fs.writeFileSync(
    projectFile,
    `# Built by src/policy/build-pack.ts from src/policy; edit the source, not this copy.\n${project.join('\n')}\n`,
  );
  return [...compiled, packageFile, projectFile];
}

if (require.main === module) {
  const outDir = path.resolve(process.argv[2] ?? path.join(ROOT, 'dist', 'policy-pack'));
  try {
    const files = buildPolicyPack(outDir);
    console.log(`Built the policy pack into ${outDir} (${files.length} files).`);
    const shown = path.relative(process.cwd(), outDir);
    const where = shown && !shown.startsWith('..') ? shown : outDir;
    console.log(`Publish it: cd ${where} && npm install && pulumi policy publish <org>`);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
