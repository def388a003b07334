import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';
import Piscina from 'piscina';
import { buffersIn, findUncrossable } from './crossing.js';

/*
 * The worker threads' entry (piscina loads it in each thread): imports the op's module, calls the export and hands
 * back what happened as a `WorkerOutcome`. Buffers in the returned value are transferred, never copied: the worker
 * keeps nothing of a result.
 */

/** One call, as the main thread posts it. */
export interface WorkerTask {
  /** The URL of the module to import (the runner's bundle of it when there is one). */
  readonly module: string;
  readonly exportName: string;
  readonly args: readonly unknown[];
}

/** `stage` says what failed: importing the module (or finding the export), the call, or sending the result back. */
export type WorkerOutcome =
  | { readonly ok: true; readonly value: unknown; readonly thread: number }
  | { readonly ok: false; readonly stage: 'load' | 'call' | 'result'; readonly error: unknown; readonly thread: number };

export default async function runTask(task: WorkerTask): Promise<unknown> {
  let fn: (...args: unknown[]) => unknown;
  try {
    const exported = (await importModule(task.module))[task.exportName];
    if (typeof exported !== 'function') throw new Error(`${task.module} has no function export named ${task.exportName}`);
    fn = exported as typeof fn;
  } catch (error) {
    return failed('load', error);
  }
  let value: unknown;
  try {
    value = await fn(...task.args);
  } catch (error) {
    return failed('call', error);
  }
  const why = findUncrossable(value, 'the returned value');
  if (why !== undefined) return failed('result', new TypeError(why));
  const outcome: WorkerOutcome = { ok: true, value, thread: threadId };
  const moved = { [Piscina.transferableSymbol]: [...buffersIn(value)], [Piscina.valueSymbol]: outcome };
  return Piscina.move(moved as unknown as Parameters<typeof Piscina.move>[0]);
}

/** Errors cross as Error objects (name, message, stack); anything else thrown that cannot cross becomes one. */
function failed(stage: 'load' | 'call' | 'result', error: unknown): WorkerOutcome {
  const why = error instanceof Error ? undefined : findUncrossable(error, 'the thrown value');
  return { ok: false, stage, error: why === undefined ? error : new Error(String(error)), thread: threadId };
}

/**
 * Imports an op module, once per thread. A TypeScript module Node cannot import (Node 20, or syntax type stripping refuses) is
 * required instead: tsx's require hook reaches worker threads, its import hook does not.
 */
function importModule(href: string): Promise<Record<string, unknown>> {
  let module = modules.get(href);
  if (module === undefined) {
    module = loadModule(href);
    modules.set(href, module);
    module.catch(() => modules.delete(href));
  }
  return module;
}

/** Each op module once per thread (a failed load is retried on the next call). */
const modules = new Map<string, Promise<Record<string, unknown>>>();

async function loadModule(href: string): Promise<Record<string, unknown>> {
  try {
    return (await import(href)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (!/\.[cm]?tsx?$/.test(href) || (code !== 'ERR_UNKNOWN_FILE_EXTENSION' && code !== 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX')) throw error;
    try {
      return createRequire(href)(fileURLToPath(href)) as Record<string, unknown>;
    } catch {
      throw new Error(`${(error as Error).message} (a TypeScript op module loads in worker threads under Node >= 22.18, tsx, or pyflow run)`, { cause: error });
    }
  }
}
