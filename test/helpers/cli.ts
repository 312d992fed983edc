// Running the `shoebox` command in tests: in-process through main(argv, io) (fast: no Node start,
// no tsx load, models loaded in this process), or as a subprocess of bin/shoebox.js (the smoke test
// that the real command starts, kept once per command family).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { main } from '../../src/main/cli/main.ts';
import type { Io } from '../../src/main/cli/context.ts';

export interface CliRun {
  code: number | null;
  out: string;
  err: string;
}

const CLI = path.resolve(import.meta.dirname, '../../bin/shoebox.js');

/** The command as a subprocess, as a user runs it. */
export function shoeboxProcess(args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A stream that keeps what is written to it (not a TTY, as for a piped subprocess). */
function capture(onWrite: () => void = () => {}): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const stream = {
    isTTY: false,
    write(chunk: string | Uint8Array, ...rest: unknown[]): boolean {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      cb?.();
      onWrite();
      return true;
    },
  };
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => chunks.join('') };
}

/** A command started in this process and not finished yet (`serve`, `watch`). */
export interface CliStarted {
  /** Resolves when main() returns; `env` is restored then. */
  done: Promise<CliRun>;
  out: () => string;
  err: () => string;
  /** Resolves with the first match of `pattern` in stdout so far or later; rejects if the command ends first. */
  waitForOut: (pattern: RegExp) => Promise<RegExpExecArray>;
}

/**
 * The command in this process, not awaited: main(argv, io) with its output captured, and `env` set
 * in process.env until it returns (as the subprocess's env would be).
 */
export function shoeboxStart(args: string[], env: NodeJS.ProcessEnv = {}): CliStarted {
  const saved = new Map(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) process.env[k] = v;
  const waiters = new Set<() => void>();
  const out = capture(() => {
    for (const w of [...waiters]) w();
  });
  const err = capture();
  const io: Io = { out: out.stream, err: err.stream };
  let finished = false;
  const done = (async () => {
    try {
      const code = await main(args, io);
      return { code, out: out.text(), err: err.text() };
    } finally {
      finished = true;
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      for (const w of [...waiters]) w();
    }
  })();
  const waitForOut = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const m = pattern.exec(out.text());
        if (m || finished) waiters.delete(check);
        if (m) resolve(m);
        else if (finished) reject(new Error(`the command ended without printing ${pattern}\nstdout: ${out.text()}\nstderr: ${err.text()}`));
      };
      waiters.add(check);
      check();
    });
  return { done, out: out.text, err: err.text, waitForOut };
}

/**
 * The command in this process: main(argv, io) with its output captured, and `env` set in
 * process.env for the call only (as the subprocess's env would be).
 */
export async function shoebox(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return shoeboxStart(args, env).done;
}
