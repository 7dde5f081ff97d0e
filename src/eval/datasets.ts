/**
 * Labelled data sets for `tinycnn eval`, read into one of two shapes:
 *   - classification: texts with a class (SST tree files; JSONL {"text"|"sentence", "label"};
 *     TSV `text<TAB>label`);
 *   - ranking: questions with labelled candidate answers (TrecQA XML; JSONL
 *     {"question", "answer", "label"}; TSV `question<TAB>answer<TAB>label`, rows of one
 *     question consecutive).
 * Treebank files carry tokens, not text: `form` says whether the text given to the model is
 * the leaves joined by spaces ('tokenized', what the model was trained on) or the sentence as
 * a person would type it ('typed', see detokenize.ts).
 */
import { detokenize } from './detokenize.js';
import { EvalDataError } from './errors.js';
import { parseTreeFile, sstTaskLabel, type SstTask } from './sst.js';
import { parseTrecQa } from './trecqa.js';

/** How treebank leaves become the text a model is given. */
export type TextForm = 'tokenized' | 'typed';

/** A label as the file gives it: a class index, or a class name to look up in the model's labels. */
export type GoldLabel = number | string;

export interface ClassificationSet {
  kind: 'classification';
  items: { text: string; label: GoldLabel }[];
}

export interface RankingSet {
  kind: 'ranking';
  questions: { qid: string; text: string; candidates: { text: string; label: 0 | 1 }[] }[];
}

export type EvalSet = ClassificationSet | RankingSet;

export interface ReadOptions {
  /** SST tree files only: sst1 (five classes) or sst2 (binary, neutral sentences dropped). */
  task?: SstTask;
  /** Treebank files only: default 'tokenized'. */
  form?: TextForm;
}

/**
 * Reads a data set from a file's text, recognising the format from its content.
 * @param text the file's contents
 * @param file its name (errors; `.tsv` / `.jsonl` by extension when the content is ambiguous)
 */
export function readEvalSet(text: string, file: string, options: ReadOptions = {}): EvalSet {
  const join = (leaves: readonly string[]) => (options.form === 'typed' ? detokenize(leaves) : leaves.join(' '));
  const head = text.trimStart();
  if (head.startsWith('(')) {
    const task = options.task;
    if (!task) throw new EvalDataError(file, 'an SST tree file needs a task: sst1 (five classes) or sst2 (binary)');
    const items = parseTreeFile(text, file)
      .map((s) => ({ text: join(s.leaves), label: sstTaskLabel(task, s.label) }))
      .filter((s) => s.label >= 0);
    return { kind: 'classification', items };
  }
  if (head.startsWith('<QApairs')) {
    const questions = parseTrecQa(text, file).map((q) => ({
      qid: q.qid,
      text: join(q.leaves),
      candidates: q.candidates.map((c) => ({ text: join(c.leaves), label: c.label })),
    }));
    return { kind: 'ranking', questions };
  }
  const rows = head.startsWith('{') ? jsonlRows(text, file) : tsvRows(text, file);
  return rows.every((r) => r.length === 2) ? classification(rows, file) : ranking(rows, file);
}

type Row = string[] & { where: string };

function jsonlRows(text: string, file: string): Row[] {
  const rows: Row[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${file}:${i + 1}`;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line);
    } catch (error) {
      throw new EvalDataError(where, `not JSON (${(error as Error).message})`);
    }
    const label = o.label;
    if (typeof label !== 'number' && typeof label !== 'string') throw new EvalDataError(where, 'needs a "label" (number or class name)');
    const sentence = o.text ?? o.sentence;
    const row =
      typeof o.question === 'string' && typeof o.answer === 'string'
        ? [o.question, o.answer, String(label)]
        : typeof sentence === 'string'
          ? [sentence, String(label)]
          : undefined;
    if (!row) throw new EvalDataError(where, 'needs "text" (or "sentence") and "label", or "question", "answer" and "label"');
    rows.push(Object.assign(row, { where }));
  });
  return rows;
}

function tsvRows(text: string, file: string): Row[] {
  const rows: Row[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const cells = line.replace(/\r$/, '').split('\t');
    const where = `${file}:${i + 1}`;
    if (cells.length !== 2 && cells.length !== 3) {
      throw new EvalDataError(where, `expected text<TAB>label or question<TAB>answer<TAB>label, got ${cells.length} column(s)`);
    }
    rows.push(Object.assign(cells, { where }));
  });
  return rows;
}

function classification(rows: Row[], file: string): ClassificationSet {
  if (rows.length === 0) throw new EvalDataError(file, 'no rows');
  return { kind: 'classification', items: rows.map((r) => ({ text: r[0]!, label: /^\d+$/.test(r[1]!) ? Number(r[1]) : r[1]! })) };
}

function ranking(rows: Row[], file: string): RankingSet {
  if (rows.length === 0) throw new EvalDataError(file, 'no rows');
  const questions: RankingSet['questions'] = [];
  for (const r of rows) {
    if (r.length !== 3) throw new EvalDataError(r.where, 'every row of a ranking set needs question, answer and label');
    if (r[2] !== '0' && r[2] !== '1') throw new EvalDataError(r.where, `label must be 0 or 1, got ${JSON.stringify(r[2])}`);
    let q = questions.at(-1);
    if (q?.text !== r[0]) {
      q = { qid: String(questions.length + 1), text: r[0]!, candidates: [] };
      questions.push(q);
    }
    q.candidates.push({ text: r[1]!, label: r[2] === '1' ? 1 : 0 });
  }
  return { kind: 'ranking', questions };
}
