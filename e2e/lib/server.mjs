// Starts a private `tongban serve` for the browser pass: a free loopback port, a fresh data dir,
// ready when GET /readyz answers 200, stopped with SIGTERM.

import { spawn } from 'node:child_process';
import { constants as fsConstants, createWriteStream } from 'node:fs';
import { access, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const RESULTS_DIR = path.join(E2E_DIR, 'test-results');

/** The server binary: $TONGBAN_BIN, else ../target/debug/tongban relative to e2e/. */
export function serverBinary() {
  const bin = process.env.TONGBAN_BIN || '../target/debug/tongban';
  return path.resolve(E2E_DIR, bin);
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Spawns the server and waits for readiness. `logName` names the log file in test-results/
 * (one per test file: `node --test` runs the files in parallel). `settings` are TONGBAN_* variables
 * of the server's configuration (e.g. TONGBAN_NOTICE_COMBINE_SECONDS).
 * @returns {Promise<{baseURL: string, logFile: string, dataDir: string, bin: string, stop: () => Promise<{code: number|null, signal: string|null}>}>}
 */
export async function startServer({ readyTimeoutMs = 60_000, logName = 'server.log', settings = {} } = {}) {
  const bin = serverBinary();
  try {
    await access(bin, fsConstants.X_OK);
  } catch {
    throw new Error(
      `tongban binary not found or not executable at ${bin}. ` +
        'Build it first (cargo build -p tongban, producing target/debug/tongban) ' +
        'or point TONGBAN_BIN at a built binary.',
    );
  }

  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tongban-e2e-data-'));
  const port = await freePort();
  const listen = `127.0.0.1:${port}`;
  const baseURL = `http://${listen}`;
  await mkdir(RESULTS_DIR, { recursive: true });
  const logFile = path.join(RESULTS_DIR, logName);
  const log = createWriteStream(logFile);

  // The server rejects unknown TONGBAN_* variables (TONGBAN_BIN among them) and reads
  // ./tongban.toml when present: give it a clean environment and the data dir as cwd.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TONGBAN_')));
  const child = spawn(bin, ['serve', '--demo', '--listen', listen, '--data-dir', dataDir], {
    cwd: dataDir,
    env: { ...env, ...settings, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });

  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
  });
  let spawnError = null;
  child.once('error', (e) => {
    spawnError = e;
  });
  // Never leave a server behind if the test process dies early.
  const killOnExit = () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const logTail = async () => {
    try {
      return (await readFile(logFile, 'utf8')).split('\n').slice(-30).join('\n');
    } catch {
      return '(no log)';
    }
  };

  const deadline = Date.now() + readyTimeoutMs;
  let lastError = 'no answer yet';
  for (;;) {
    if (spawnError) throw new Error(`could not start ${bin}: ${spawnError.message}`);
    if (exited) {
      throw new Error(
        `tongban serve exited before it was ready (code ${exited.code}, signal ${exited.signal}). Log:\n${await logTail()}`,
      );
    }
    try {
      const res = await fetch(`${baseURL}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) break;
      lastError = `GET /readyz answered ${res.status}`;
    } catch (e) {
      lastError = e.cause?.code || e.message;
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `tongban serve not ready within ${readyTimeoutMs / 1000} s (${lastError}). Log:\n${await logTail()}`,
      );
    }
    await sleep(250);
  }

  async function stop({ timeoutMs = 15_000 } = {}) {
    if (!exited) {
      child.kill('SIGTERM');
      let timer;
      const timeout = new Promise((r) => {
        timer = setTimeout(() => r(null), timeoutMs);
      });
      const result = await Promise.race([exitPromise, timeout]);
      clearTimeout(timer);
      if (!result) {
        child.kill('SIGKILL');
        await exitPromise;
        process.removeListener('exit', killOnExit);
        log.end();
        await rm(dataDir, { recursive: true, force: true });
        throw new Error(`tongban serve did not exit within ${timeoutMs / 1000} s of SIGTERM; killed`);
      }
    }
    process.removeListener('exit', killOnExit);
    log.end();
    await rm(dataDir, { recursive: true, force: true });
    return exited;
  }

  return { baseURL, logFile, dataDir, bin, stop, isRunning: () => !exited };
}
