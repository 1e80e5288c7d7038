// electron-builder hook (afterAllArtifactBuild): packaging rebuilt better-sqlite3 in node_modules for Electron's
// ABI (npmRebuild); rebuild it for Node again so the CLI, `npm start` and the tests keep working after
// `npm run dist`.
import { spawnSync } from 'node:child_process';

export default async function restoreNodeNative() {
  const windows = process.platform === 'win32';
  const result = spawnSync(windows ? 'npm.cmd' : 'npm', ['rebuild', 'better-sqlite3'], {
    stdio: 'inherit',
    shell: windows,
  });
  if (result.status !== 0) {
    console.error('relaydeck: could not rebuild better-sqlite3 for Node; run `npm rebuild better-sqlite3`');
  }
  return [];
}
