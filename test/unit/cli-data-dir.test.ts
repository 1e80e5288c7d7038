import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveDataDir } from '../../src/main/node/data-dir';

describe('data directory resolution', () => {
  it('prefers --data, then RELAYDECK_DATA, resolving relative paths', () => {
    expect(resolveDataDir('rel/dir', { RELAYDECK_DATA: '/env/dir' }, 'linux')).toBe(path.resolve('rel/dir'));
    expect(resolveDataDir(undefined, { RELAYDECK_DATA: '/env/dir' }, 'linux')).toBe(path.resolve('/env/dir'));
  });

  it('falls back to the OS user-data directory', () => {
    const home = os.homedir();
    expect(resolveDataDir(undefined, {}, 'linux')).toBe(path.join(home, '.config', 'relaydeck'));
    expect(resolveDataDir(undefined, { XDG_CONFIG_HOME: '/xdg' }, 'linux')).toBe(
      path.join('/xdg', 'relaydeck'),
    );
    expect(resolveDataDir(undefined, {}, 'darwin')).toBe(
      path.join(home, 'Library', 'Application Support', 'relaydeck'),
    );
    expect(resolveDataDir(undefined, { APPDATA: 'C:\\Users\\me\\AppData\\Roaming' }, 'win32')).toBe(
      path.join('C:\\Users\\me\\AppData\\Roaming', 'relaydeck'),
    );
  });

  it('ignores an empty RELAYDECK_DATA or XDG_CONFIG_HOME', () => {
    expect(resolveDataDir(undefined, { RELAYDECK_DATA: '', XDG_CONFIG_HOME: '' }, 'linux')).toBe(
      path.join(os.homedir(), '.config', 'relaydeck'),
    );
  });
});
