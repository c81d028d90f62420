// Publishes the sample plugins: node scripts/samples.mjs <artifacts/plugins>.
// Each plugin is bundled with esbuild into one CommonJS file (the SDK, grpc-js and protobufjs inlined), named like the
// plugin and started through its shebang: nothing to install where it runs but node >= 18, and a single file to load
// starts faster than a node_modules tree.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const packageRoot = resolve(here, '..');
const pluginsRoot = process.argv[2];
if (!pluginsRoot) {
  console.error('usage: node scripts/samples.mjs <plugins-root>   (e.g. artifacts/plugins)');
  process.exit(64);
}

const samples = [
  { name: 'echo-node', version: '1.0.0', entry: 'samples/echo/main.ts' },
  { name: 'conformance-node', version: '1.0.0', entry: 'samples/conformance/main.ts' },
];

for (const sample of samples) {
  const folder = resolve(pluginsRoot, sample.name, sample.version);
  mkdirSync(folder, { recursive: true });
  const executable = join(folder, sample.name);
  await build({
    entryPoints: [join(packageRoot, sample.entry)],
    outfile: executable,
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    minify: false,
    legalComments: 'none',
    banner: { js: '#!/usr/bin/env node' },
    alias: { '@plugin-supervisor/sdk': join(packageRoot, 'src/index.ts') },
    logLevel: 'warning',
  });
  chmodSync(executable, 0o755);
  writeFileSync(join(folder, 'plugin.json'), JSON.stringify({ command: `./${sample.name}`, args: [], env: {}, workingDirectory: '.' }, null, 2) + '\n');
  console.log(`published ${sample.name} ${sample.version} to ${folder}`);
}
