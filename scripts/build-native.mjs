// Builds the OpenBLAS/LAPACKE addon from server/native with node-gyp (npm's bundled copy) into
// server/native/build/Release/crit_lapack.node. Needs a C compiler and, on Debian/Ubuntu,
// `apt-get install libopenblas-dev liblapacke-dev`. Uses the installed Node's own headers when
// present (no download), so it works offline.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const nativeDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'server', 'native');

function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.resolve(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    path.resolve(path.dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((candidate) => candidate && existsSync(candidate));
}

const nodeGyp = findNodeGyp();
if (nodeGyp === undefined) {
  console.error('build:native: node-gyp not found (it ships with npm); install npm or node-gyp.');
  process.exit(1);
}
const args = [nodeGyp, 'rebuild', '--release'];
const installPrefix = path.resolve(path.dirname(process.execPath), '..');
if (existsSync(path.join(installPrefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${installPrefix}`);

const result = spawnSync(process.execPath, args, { cwd: nativeDir, stdio: 'inherit' });
if (result.status !== 0) {
  console.error('build:native failed. On Debian/Ubuntu: apt-get install -y build-essential python3 libopenblas-dev liblapacke-dev');
  process.exit(result.status ?? 1);
}
console.log(`build:native: built ${path.join(nativeDir, 'build', 'Release', 'crit_lapack.node')}`);
