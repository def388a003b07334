import { readFileSync } from 'node:fs';
import type { CodeFingerprint } from '../protocol/codeFingerprint.js';

/** Reads the table the parent wrote beside the bundle (`fingerprints.json`: site key → fingerprint). */
export function readFingerprintTable(file: string): Map<string, CodeFingerprint> {
  return new Map(Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, CodeFingerprint>));
}
