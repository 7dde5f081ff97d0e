/**
 * Request bodies for the load test, from a data file:
 *
 *   Kim  one sentence per line, or JSON lines with "sentence", "input" or "text"
 *        (so ../shared/data/sst1-dev.jsonl works as is)
 *   SM   question <TAB> answer per line, or JSON lines with "sent1" + "sent2"
 *        or "question" + "answer"
 *
 * Blank lines and lines starting with '#' are skipped. With batch > 1 the items
 * are grouped into {"inputs": [...]} / {"pairs": [...]} bodies (wrapping around
 * to fill the last batch).
 */
import { readFileSync } from 'node:fs';
import { DataFileError } from './errors.js';

/** The model a load test drives. */
export type LoadModel = 'kim' | 'sm';

type Item = string | { sent1: string; sent2: string };

/** Reads a data file into JSON request bodies. */
export function loadPayloads(
  /** The data file. */
  file: string,
  /** kim (sentences) or sm (pairs). */
  model: LoadModel,
  /** Sentences or pairs per request. */
  batch = 1,
): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new DataFileError(file, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return payloadsFromText(text, file, model, batch);
}

/** Parses data-file text into JSON request bodies; `file` names it in errors. */
export function payloadsFromText(text: string, file: string, model: LoadModel, batch = 1): string[] {
  const items: Item[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) return;
    items.push(model === 'kim' ? sentence(t, file, i + 1) : pair(line, file, i + 1));
  });
  if (items.length === 0) throw new DataFileError(file, `has no ${model === 'kim' ? 'sentences' : 'sentence pairs'}`);
  if (batch <= 1) return items.map((item) => JSON.stringify(typeof item === 'string' ? { input: item } : item));
  const bodies: string[] = [];
  const groups = Math.ceil(items.length / batch);
  for (let g = 0; g < groups; g++) {
    const group = Array.from({ length: batch }, (_, k) => items[(g * batch + k) % items.length]);
    bodies.push(JSON.stringify(model === 'kim' ? { inputs: group } : { pairs: group }));
  }
  return bodies;
}

function sentence(line: string, file: string, n: number): string {
  if (!line.startsWith('{')) return line;
  const o = json(line, file, n);
  for (const key of ['sentence', 'input', 'text']) if (typeof o[key] === 'string' && o[key] !== '') return o[key] as string;
  throw new DataFileError(file, `line ${n}: a JSON line needs a "sentence", "input" or "text" string`);
}

function pair(line: string, file: string, n: number): { sent1: string; sent2: string } {
  const t = line.trim();
  if (t.startsWith('{')) {
    const o = json(t, file, n);
    const q = o.sent1 ?? o.question;
    const a = o.sent2 ?? o.answer;
    if (typeof q === 'string' && typeof a === 'string' && q !== '' && a !== '') return { sent1: q, sent2: a };
    throw new DataFileError(file, `line ${n}: a JSON line needs "sent1" and "sent2" (or "question" and "answer") strings`);
  }
  const parts = line.split('\t').map((p) => p.trim());
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '')
    throw new DataFileError(file, `line ${n}: expected "question<TAB>answer", got ${parts.length} tab-separated field(s)`);
  return { sent1: parts[0], sent2: parts[1] };
}

function json(line: string, file: string, n: number): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(line);
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new DataFileError(file, `line ${n}: not a JSON object`);
}
