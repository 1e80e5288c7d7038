#!/usr/bin/env node
// `npm start`: builds when out/ is missing or older than the sources, then opens the desktop app (Electron)
// where a display is available, fetching Electron's binary when it is missing. Where Electron cannot run
// (no display, no binary, or it fails before its window opens) it serves the browser console instead
// (`relaydeck serve`), which prints the URL with its token. RELAYDECK_NO_ELECTRON=1 forces the browser console.
// Arguments: [--data DIR] [--port N] [--new-token] (the port and token apply to the browser console only; they
// are kept in the data dir, so its console URL stays the same across restarts).
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
/** src/main/electron/main.ts exits with this when Relaydeck itself failed (error already shown): no fallback. */
const APP_ERROR_EXIT = 78;
/** ... and with this when better-sqlite3 could not be loaded in Electron. */
const NATIVE_MODULE_EXIT = 79;

/** Built outputs and the sources they come from (an output is expected only when its source exists). */
const OUTPUTS = [
  ['out/main/cli.cjs', 'src/main/node/cli.ts'],
  ['out/main/electron.cjs', 'src/main/electron/main.ts'],
  ['out/preload/preload.cjs', 'src/main/electron/preload.ts'],
  ['out/renderer/index.html', 'src/renderer/index.html'],
];
const BUILD_INPUTS = ['src', 'scripts/build.mjs', 'vite.config.ts', 'package.json'];

function say(message) {
  process.stderr.write(`relaydeck: ${message}\n`);
}

/** Newest modification time under `p` (files and directories, bounded depth). */
function newestMtime(p, depth = 0) {
  let stat;
  try {
    stat = statSync(p);
  } catch {
    return 0;
  }
  if (!stat.isDirectory() || depth > 12) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry), depth + 1));
  return newest;
}

function buildIfStale() {
  const expected = OUTPUTS.filter(([, source]) => existsSync(path.join(root, source))).map(([out]) => out);
  const missing = expected.filter((out) => !existsSync(path.join(root, out)));
  const oldestOutput = Math.min(...expected.map((out) => newestMtime(path.join(root, out))));
  const newestInput = Math.max(...BUILD_INPUTS.map((p) => newestMtime(path.join(root, p))));
  if (missing.length === 0 && oldestOutput >= newestInput) return;
  say(
    missing.length > 0
      ? `building (${missing.join(', ')} missing)`
      : 'building (sources changed since the last build)',
  );
  const result = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    say('the build failed; fix the errors above and run npm start again');
    process.exit(result.status ?? 1);
  }
}

/** Why the desktop app cannot be tried here, or null when a display is available. */
function noDisplayReason() {
  if (process.env.RELAYDECK_NO_ELECTRON === '1') return 'RELAYDECK_NO_ELECTRON=1 is set';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return 'no display (DISPLAY and WAYLAND_DISPLAY are not set)';
  }
  return null;
}

/** The Electron executable, or null when it is not installed. */
function electronBinary() {
  try {
    const id = require.resolve('electron');
    delete require.cache[id];
    const binary = require(id);
    return typeof binary === 'string' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

/** Finds Electron's binary, running the electron package's own download script when it is missing. */
function ensureElectron() {
  const present = electronBinary();
  if (present) return present;
  let installer;
  try {
    installer = path.join(path.dirname(require.resolve('electron/package.json')), 'install.js');
  } catch {
    return null;
  }
  say("Electron's binary is missing: downloading it (node_modules/electron/install.js)");
  spawnSync(process.execPath, [installer], { cwd: root, stdio: 'inherit', timeout: 10 * 60_000 });
  return electronBinary();
}

/**
 * node_modules/better-sqlite3 is built for Node (the CLI and the tests need it so; rebuilding it for Electron
 * in place would break them). Electron gets its own copy of the addon, downloaded once as the package's
 * prebuilt Electron binary into node_modules/.cache/relaydeck and passed as RELAYDECK_SQLITE_BINDING.
 * Returns the addon's path, or null when it cannot be obtained.
 */
function ensureElectronSqlite() {
  let sqliteDir;
  let prebuildInstall;
  let electronVersion;
  try {
    sqliteDir = path.dirname(require.resolve('better-sqlite3/package.json'));
    prebuildInstall = createRequire(path.join(sqliteDir, 'package.json')).resolve('prebuild-install/bin.js');
    electronVersion = require('electron/package.json').version;
  } catch {
    return null;
  }
  const sqliteVersion = require(path.join(sqliteDir, 'package.json')).version;
  const cacheDir = path.join(root, 'node_modules/.cache/relaydeck');
  const target = path.join(
    cacheDir,
    `better-sqlite3-${sqliteVersion}-electron-${electronVersion}-${process.platform}-${process.arch}.node`,
  );
  if (existsSync(target)) return target;
  say(`fetching better-sqlite3 ${sqliteVersion} built for Electron ${electronVersion}`);
  const work = mkdtempSync(path.join(os.tmpdir(), 'relaydeck-sqlite-'));
  try {
    copyFileSync(path.join(sqliteDir, 'package.json'), path.join(work, 'package.json'));
    const result = spawnSync(
      process.execPath,
      [
        prebuildInstall,
        '--runtime=electron',
        `--target=${electronVersion}`,
        `--arch=${process.arch}`,
        `--platform=${process.platform}`,
      ],
      { cwd: work, stdio: 'inherit', timeout: 5 * 60_000 },
    );
    const built = path.join(work, 'build/Release/better_sqlite3.node');
    if (result.status !== 0 || !existsSync(built)) return null;
    mkdirSync(cacheDir, { recursive: true });
    copyFileSync(built, target);
    return target;
  } catch {
    return null;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** `--data`, `--port` (both `--flag value` and `--flag=value`) and `--new-token` for `relaydeck serve`. */
function serveArgs(argv) {
  const out = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--data' || arg === '--port') {
      if (argv[i + 1] !== undefined) out.push(arg, argv[i + 1]);
      i++;
    } else if (arg.startsWith('--data=') || arg.startsWith('--port=') || arg === '--new-token') {
      out.push(arg);
    }
  }
  return out;
}

let interrupted = false;

/** Runs a child with our stdio, passing Ctrl-C / termination on to it. */
function run(command, commandArgs, options = {}) {
  const child = spawn(command, commandArgs, { cwd: root, ...options });
  const forward = (signal) => {
    interrupted = true;
    child.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.once('exit', () => {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
  });
  return child;
}

function serveBrowserConsole(reason) {
  say(`${reason}: serving the browser console instead of opening the desktop app`);
  const cli = path.join(root, 'out/main/cli.cjs');
  const child = run(process.execPath, [cli, 'serve', ...serveArgs(args)], { stdio: 'inherit' });
  child.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

function openDesktopApp(binary, sqliteBinding) {
  const env = { ...process.env, RELAYDECK_SQLITE_BINDING: sqliteBinding };
  delete env.ELECTRON_RUN_AS_NODE; // would make Electron behave as plain Node
  // The project root: Electron reads package.json (name, version, main = out/main/electron.cjs).
  const child = run(binary, [root, ...args], { env, stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
  let ready = false;
  child.on('message', (message) => {
    if (message && message.relaydeck === 'ready') {
      ready = true;
      child.disconnect();
    }
  });
  let done = false;
  const fallBack = (why) => {
    if (done) return;
    done = true;
    serveBrowserConsole(why);
  };
  child.once('error', (err) => fallBack(`Electron could not be started (${err.message})`));
  child.once('exit', (code, signal) => {
    if (ready || interrupted || code === 0 || code === APP_ERROR_EXIT) process.exit(code ?? (signal ? 1 : 0));
    if (code === NATIVE_MODULE_EXIT) fallBack('better-sqlite3 could not be loaded in Electron');
    else
      fallBack(`Electron exited ${signal ? `on ${signal}` : `with code ${code}`} before its window opened`);
  });
}

buildIfStale();
const reason = noDisplayReason();
if (reason) {
  serveBrowserConsole(reason);
} else {
  const binary = ensureElectron();
  const sqliteBinding = binary ? ensureElectronSqlite() : null;
  if (!binary) serveBrowserConsole("Electron's binary is not available and could not be downloaded");
  else if (!sqliteBinding)
    serveBrowserConsole('better-sqlite3 for Electron is not available and could not be downloaded');
  else openDesktopApp(binary, sqliteBinding);
}
