/**
 * Stanford Sentiment Treebank trees (PTB format, one tree per line) -> labelled sentences.
 *
 * A tree is `(label child child)` or `(label leaf)`, labels 0-4 (very negative .. very
 * positive). A leaf is everything between the label and the closing bracket that is not an
 * ASCII space or a bracket, so the training leaf holding a non-breaking space (`8 1\/2`)
 * stays one leaf. Mirrors converters/train/sst.py.
 */
import { EvalDataError } from './errors.js';

/** One sentence: the root's 0-4 label and its leaves. */
export interface TreeSentence {
  label: number;
  leaves: string[];
}

/** The tasks of Kim (2014): SST-1 keeps five labels, SST-2 drops neutral and maps 0-1 / 3-4 to 0 / 1. */
export type SstTask = 'sst1' | 'sst2';

const TREE_TOKEN = /\(|\)|[^() \t\r\n]+/g;

/**
 * Parses one tree line; only the root's label and the leaves in order are kept.
 * @param line the tree text
 * @param where file and line number for errors
 */
export function parseTree(line: string, where: string): TreeSentence {
  const toks = line.match(TREE_TOKEN) ?? [];
  const leaves: string[] = [];
  let depth = 0;
  let rootLabel = -1;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t === '(') {
      const label = Number(toks[i + 1]);
      if (!Number.isInteger(label) || label < 0 || label > 4) {
        throw new EvalDataError(where, `expected a label 0-4 after '(', got ${JSON.stringify(toks[i + 1] ?? 'end of line')}`);
      }
      if (depth === 0) {
        if (rootLabel >= 0) throw new EvalDataError(where, 'more than one tree on the line');
        rootLabel = label;
      }
      depth++;
      i++;
    } else if (t === ')') {
      if (--depth < 0) throw new EvalDataError(where, "unbalanced ')'");
    } else {
      leaves.push(t);
    }
  }
  if (depth !== 0 || rootLabel < 0 || leaves.length === 0) throw new EvalDataError(where, 'not a complete labelled tree');
  return { label: rootLabel, leaves };
}

/**
 * A 0-4 treebank label -> the task's class index, or -1 when the task drops it.
 * @param task sst1 (five classes) or sst2 (binary, neutral dropped)
 * @param label the treebank label
 */
export function sstTaskLabel(task: SstTask, label: number): number {
  if (task === 'sst1') return label;
  return label === 2 ? -1 : label > 2 ? 1 : 0;
}

/**
 * Every sentence of a tree file.
 * @param text the file's contents
 * @param file its name, for errors
 */
export function parseTreeFile(text: string, file: string): TreeSentence[] {
  const out: TreeSentence[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() !== '') out.push(parseTree(line, `${file}:${i + 1}`));
  });
  return out;
}
