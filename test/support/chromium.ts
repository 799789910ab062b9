/**
 * Headless Chromium driven through the DevTools protocol, for test/browser.test.ts: the
 * system's browser (Debian's `chromium`), never a downloaded one. `openPage()` loads a URL
 * in a new tab and evaluates an expression there, awaiting its promise.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { WebSocketClient } from './websocket.js';

/** $CHROME_PATH, else `chromium` or `chromium-browser` on PATH; undefined when none is. */
export function findChromium(): string | undefined {
  if (process.env.CHROME_PATH) return process.env.CHROME_PATH;
  for (const name of ['chromium', 'chromium-browser']) {
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      const path = join(dir, name);
      try {
        accessSync(path, constants.X_OK);
        return path;
      } catch { /* not in this directory */ }
    }
  }
  return undefined;
}

interface Reply { id?: number; method?: string; sessionId?: string; result?: unknown; error?: { message: string }; params?: unknown }

/** DevTools protocol calls over one browser-level connection; flattened sessions address tabs. */
class DevTools {
  private nextId = 1;
  private readonly calls = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();
  private readonly waiters: { method: string; sessionId?: string; resolve: (p: unknown) => void }[] = [];

  constructor(private readonly ws: WebSocketClient) {
    ws.onMessage = (text) => this.dispatch(JSON.parse(text) as Reply);
    ws.onClose = () => {
      for (const call of this.calls.values()) call.reject(new Error('the browser closed the DevTools connection'));
      this.calls.clear();
    };
  }

  send<T = Record<string, unknown>>(method: string, params: object = {}, sessionId?: string): Promise<T> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    return new Promise((resolve, reject) => this.calls.set(id, { resolve: resolve as (r: unknown) => void, reject }));
  }

  /** The next event `method` (of the tab `sessionId`); call it before what triggers the event. */
  event(method: string, sessionId?: string): Promise<unknown> {
    return new Promise((resolve) => this.waiters.push({ method, sessionId, resolve }));
  }

  close(): void {
    this.ws.close();
  }

  private dispatch(reply: Reply): void {
    if (reply.id !== undefined) {
      const call = this.calls.get(reply.id);
      this.calls.delete(reply.id);
      if (reply.error) call?.reject(new Error(reply.error.message));
      else call?.resolve(reply.result);
      return;
    }
    const i = this.waiters.findIndex((w) => w.method === reply.method && w.sessionId === reply.sessionId);
    if (i >= 0) this.waiters.splice(i, 1)[0].resolve(reply.params);
  }
}

export interface Browser {
  /** Loads `url` in a new tab, then evaluates `expression` there and returns its awaited value (JSON). */
  evaluateOnPage(url: string, expression: string): Promise<unknown>;
  close(): Promise<void>;
}

const LAUNCH_TIMEOUT_MS = 30_000;

/** Starts `chromium --headless=new` with a fresh profile and connects to its DevTools endpoint. */
export async function launchChromium(executable: string): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'ebpf-wasm-chromium-'));
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start;
  // --disable-dev-shm-usage: containers give /dev/shm 64 MB, which a tab can exhaust.
  const child = spawn(executable, [
    '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
    '--no-default-browser-check', '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const cleanUp = async () => {
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    killGroup(child);
    rmSync(profile, { recursive: true, force: true });
  };
  let devtools: DevTools;
  try {
    devtools = new DevTools(await WebSocketClient.connect(await devToolsUrl(child)));
  } catch (error) {
    killGroup(child);
    await cleanUp();
    throw error;
  }
  return {
    async evaluateOnPage(url, expression) {
      const { targetId } = await devtools.send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' });
      const { sessionId } = await devtools.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
      await devtools.send('Page.enable', {}, sessionId);
      const loaded = devtools.event('Page.loadEventFired', sessionId);
      const navigation = await devtools.send<{ errorText?: string }>('Page.navigate', { url }, sessionId);
      if (navigation.errorText) throw new Error(`${url}: ${navigation.errorText}`);
      await loaded;
      const { result, exceptionDetails } = await devtools.send<{ result: { value?: unknown }; exceptionDetails?: { text: string; exception?: { description?: string } } }>(
        'Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, sessionId);
      if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
      await devtools.send('Target.closeTarget', { targetId });
      return result.value;
    },
    async close() {
      await devtools.send('Browser.close').catch(() => {});   // the browser may close the socket first
      devtools.close();
      await cleanUp();
    },
  };
}

/** The browser prints `DevTools listening on ws://...` on stderr once its endpoint is up. */
function devToolsUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`Chromium printed no DevTools URL in ${LAUNCH_TIMEOUT_MS} ms:\n${stderr.slice(-2000)}`)), LAUNCH_TIMEOUT_MS);
    // Read stderr to the end whatever it says: a full pipe would stall the browser.
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-20_000);
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Chromium exited (${code}) before its DevTools endpoint was up:\n${stderr.slice(-2000)}`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Debian's `chromium` is a shell script that starts the browser: end its whole process group. */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch { /* already gone */ }
}
