import * as crypto from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { CacheOp, ResultCache } from '../core/executor.js';
import { CacheStore } from './store.js';
import { unfaithfulPart } from './plainValue.js';
import { siteKey, type CodeFingerprint } from '../protocol/codeFingerprint.js';

/** Why an op was computed instead of read from the cache (shown in the graph view's node details). */
export type MissReason = string;

/** Options of `new DiskCache(options)`. */
export interface DiskCacheOptions {
  /** The store's directory (`.pyflow/cache` of the workspace by default, see `defaultCacheDir`). */
  dir: string;
  /** Evict least recently used entries beyond this many bytes (default 1 GiB). */
  maxBytes?: number;
  /**
   * The runner's code fingerprints, by `add` call site (see fingerprintTable.ts). Given: an op whose site has none is
   * not cached (its code is unknown). Absent (library use): an op's code is its function's text plus its `version`
   * option, which does not see the helpers it calls (see docs/cache.md).
   */
  fingerprints?: ReadonlyMap<string, CodeFingerprint>;
  /**
   * Part of every op key: change it to recompute everything (library use: when a helper your functions call changed,
   * which `fn.toString()` does not see).
   */
  version?: string;
  /** Told once per op that is not cached and why (an unserializable value, unknown code). */
  onDiagnostic?: (op: CacheOp, message: string) => void;
  /** Told on each miss why the op is computed (first run, which part of its code, option or input changed, evicted). */
  onMiss?: (op: CacheOp, reason: MissReason) => void;
}

/** What an op's key is made of, kept per op (by call site, else graph and uid) to explain the next miss. */
interface KeyParts {
  key: string;
  code: Record<string, string>;
  options: string;
  inputs: readonly string[];
}

const NATIVE = /\{\s*\[native code\]\s*\}\s*$/;

/** The cross-run result cache of `new GraphBuilder({ cache })`, `pyflow run --cache` and Evaluate here. */
export class DiskCache implements ResultCache {
  readonly store: CacheStore;
  private readonly fingerprints: ReadonlyMap<string, CodeFingerprint> | undefined;
  private readonly onDiagnostic: NonNullable<DiskCacheOptions['onDiagnostic']>;
  private readonly onMiss: DiskCacheOptions['onMiss'];
  private readonly version: string;
  private readonly parts = new Map<string, KeyParts>();
  /** The ops already reported as not cached (by graph and uid: the engine makes a new CacheOp per call). */
  private readonly diagnosed = new Set<string>();

  constructor(options: DiskCacheOptions) {
    this.store = new CacheStore(options);
    this.fingerprints = options.fingerprints;
    this.onDiagnostic = options.onDiagnostic ?? ((_op, message) => process.emitWarning(message, 'PyflowCacheWarning'));
    this.onMiss = options.onMiss;
    this.version = options.version ?? '';
  }

  keyOfValue(value: unknown): string | undefined {
    if (unfaithfulPart(value) !== undefined) return undefined;
    try {
      return sha256(['value', serialize(value)]);
    } catch {
      return undefined;
    }
  }

  keyOfOp(op: CacheOp, inputKeys: readonly string[]): string | undefined {
    const code = this.codeOf(op);
    if (code === undefined) return undefined;
    const options = optionsText(op);
    const key = sha256(['op', this.version, code.hash, options, inputKeys.join(',')]);
    if (this.onMiss) this.parts.set(key, { key, code: code.parts, options, inputs: inputKeys });
    return key;
  }

  has(key: string): boolean {
    return this.store.has(key);
  }

  read(key: string, op: CacheOp): { readonly value: unknown } | undefined {
    const payload = this.store.read(key);
    if (payload !== undefined) {
      try {
        return { value: deserialize(payload) };
      } catch {
        // A payload that passed the CRC check but does not deserialize (another Node's format): a miss.
      }
    }
    if (this.onMiss) this.onMiss(op, this.whyMissed(key, op));
    return undefined;
  }

  write(key: string, op: CacheOp, value: unknown): void {
    const unfaithful = unfaithfulPart(value);
    if (unfaithful !== undefined) return this.diagnose(op, `its value holds ${unfaithful}, which would not come back from the cache as it is`);
    let payload: Buffer;
    try {
      payload = serialize(value);
    } catch (error) {
      return this.diagnose(op, `its value cannot be serialized (${(error as Error).message})`);
    }
    if (!this.store.write(key, [payload], `${op.uid} (${op.fnName})`)) {
      const size = payload.byteLength;
      return this.diagnose(
        op,
        size >= this.store.maxBytes
          ? `its value (${formatBytes(size)}) is larger than the cache's limit (${formatBytes(this.store.maxBytes)})`
          : `its value could not be written to ${this.store.dir}`,
      );
    }
    const parts = this.parts.get(key);
    if (parts) this.remember(op, parts);
  }

  /**
   * The code part of an op's key: the runner's fingerprint of its `add` site, else its function's text; for an op on an
   * executor, with the executor's fingerprint of the code it runs (its function is a stand-in).
   */
  private codeOf(op: CacheOp): { hash: string; parts: Record<string, string> } | undefined {
    const code = this.codeAt(op);
    if (code === undefined || op.executorCode === undefined) return code;
    return { hash: sha256(['executor', code.hash, op.executorCode]), parts: { ...code.parts, 'code run by the executor': op.executorCode } };
  }

  private codeAt(op: CacheOp): { hash: string; parts: Record<string, string> } | undefined {
    if (this.fingerprints) {
      const found = op.site ? this.fingerprints.get(siteKey(op.site)) : undefined;
      if (found === undefined) {
        this.diagnose(op, 'pyflow could not read its code when the script was bundled (only `G.add(fn)` calls on a GraphBuilder the file creates are read)');
        return undefined;
      }
      if (found.uncacheable !== undefined) {
        this.diagnose(op, found.uncacheable);
        return undefined;
      }
      return { hash: found.hash, parts: found.parts };
    }
    let code = this.codeOfFunction.get(op.fn);
    if (code === undefined) {
      const text = Function.prototype.toString.call(op.fn);
      const hash = NATIVE.test(text) ? null : sha256(['fn', text]);
      code = hash === null ? null : { hash, parts: { [`function ${op.fnName}`]: hash } };
      this.codeOfFunction.set(op.fn, code);
    }
    if (code === null) this.diagnose(op, 'its function is native or bound, so its text does not say what it computes');
    return code ?? undefined;
  }

  /** `fn.toString()` fingerprints, once per function (null: native or bound, not cached). */
  private readonly codeOfFunction = new WeakMap<object, { hash: string; parts: Record<string, string> } | null>();

  private diagnose(op: CacheOp, why: string): void {
    const id = `${op.graph}\u0000${op.uid}`;
    if (this.diagnosed.has(id)) return;
    this.diagnosed.add(id);
    this.onDiagnostic(op, `${op.uid} (${op.fnName}${op.site ? ` at ${op.site.file}:${op.site.line}` : ''}) is not cached: ${why}`);
  }

  private recordPath(op: CacheOp): string {
    const identity = op.site ? `${siteKey(op.site)}` : `${op.graph}/${op.uid}`;
    return join(this.store.dir, 'ops', sha256(['identity', identity]));
  }

  private remember(op: CacheOp, parts: KeyParts): void {
    const path = this.recordPath(op);
    const tmp = `${path}.${process.pid}`;
    try {
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(tmp, JSON.stringify(parts));
      renameSync(tmp, path);
    } catch {
      // The explanation of a later miss is lost, nothing else.
    }
  }

  private whyMissed(key: string, op: CacheOp): MissReason {
    const now = this.parts.get(key);
    let before: KeyParts | undefined;
    try {
      before = JSON.parse(readFileSync(this.recordPath(op), 'utf8')) as KeyParts;
    } catch {
      return 'first run';
    }
    if (now === undefined) return 'not in the cache';
    if (before.key === key) return 'evicted from the cache (or cleared)';
    const changed: string[] = [];
    for (const name of new Set([...Object.keys(now.code), ...Object.keys(before.code)])) {
      const [was, is] = [before.code[name], now.code[name]];
      if (is === was) continue;
      if (name.startsWith('package ') && was !== undefined && is !== undefined) changed.push(`${name} ${was} → ${is}`);
      else changed.push(was === undefined ? `${name} added` : is === undefined ? `${name} removed` : `${name} changed`);
    }
    if (now.options !== before.options) changed.push('options changed');
    now.inputs.forEach((input, i) => {
      if (input !== before.inputs[i]) changed.push(`input ${i + 1} changed`);
    });
    if (now.inputs.length !== before.inputs.length) changed.push('inputs changed');
    return changed.length > 0 ? changed.join(', ') : 'not in the cache';
  }
}

/** Node >= 21.7's one-shot hash, else a Hash object. */
const hashOnce = (crypto as { hash?: (algorithm: string, data: string | Uint8Array, encoding: 'hex') => string }).hash;

function sha256(parts: readonly (string | Uint8Array)[]): string {
  if (hashOnce && parts.every((part) => typeof part === 'string')) return hashOnce('sha256', parts.join('\u0000'), 'hex');
  const hash = crypto.createHash('sha256');
  for (const part of parts) hash.update(part).update('\u0000');
  return hash.digest('hex');
}

/** The value-affecting options as text: `nOut` and `version` (the only ones; see CacheOp.options). */
function optionsText(op: CacheOp): string {
  const version = op.options.version;
  return version === undefined ? `nOut=${op.nOut}` : `nOut=${op.nOut};version=${JSON.stringify(version)}`;
}

function formatBytes(n: number): string {
  return n >= 1024 ** 2 ? `${(n / 1024 ** 2).toFixed(1)} MB` : `${(n / 1024).toFixed(1)} KB`;
}
