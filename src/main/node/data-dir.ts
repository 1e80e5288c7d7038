/** Where Relaydeck keeps its data: `--data DIR` > `RELAYDECK_DATA` > the OS user-data directory. */
import os from 'node:os';
import path from 'node:path';

export function resolveDataDir(
  flag?: string,
  env: NodeJS.ProcessEnv = process.env,
  platform = process.platform,
): string {
  if (flag) return path.resolve(flag);
  if (env.RELAYDECK_DATA) return path.resolve(env.RELAYDECK_DATA);
  const home = os.homedir();
  switch (platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', 'relaydeck');
    case 'win32':
      return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'relaydeck');
    default:
      return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'relaydeck');
  }
}
