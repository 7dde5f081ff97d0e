/**
 * TrecQA as Yao et al. (2013) prepared it -> questions with labelled candidate answers.
 *
 * Pseudo-XML: each `<QApairs id='...'>` holds a `<question>` and `<positive>` /
 * `<negative>` blocks of tab-separated lines; the first line of a block is its tokens.
 * Mirrors converters/train/trecqa.py.
 */
import { EvalDataError } from './errors.js';

/** One candidate answer: its tokens (as in the file) and 1 for a correct answer, else 0. */
export interface TrecCandidate {
  leaves: string[];
  label: 0 | 1;
}

/** One question and its candidates, in file order. */
export interface TrecQuestion {
  qid: string;
  leaves: string[];
  candidates: TrecCandidate[];
}

const PAIRS = /<QApairs id='([^']*)'>([\s\S]*?)<\/QApairs>/g;
const BLOCK = /<(question|positive|negative)>\n([^\n]*)\n/g;

/**
 * Every question of a TrecQA file.
 * @param text the file's contents
 * @param file its name, for errors
 */
export function parseTrecQa(text: string, file: string): TrecQuestion[] {
  const out: TrecQuestion[] = [];
  for (const [, qid, body] of text.matchAll(PAIRS)) {
    let question: string[] | undefined;
    const candidates: TrecCandidate[] = [];
    for (const [, kind, line] of body!.matchAll(BLOCK)) {
      const leaves = line!.split('\t').filter((t) => t !== '');
      if (kind === 'question') question = leaves;
      else candidates.push({ leaves, label: kind === 'positive' ? 1 : 0 });
    }
    if (!question) throw new EvalDataError(file, `QApairs ${qid} has no <question>`);
    out.push({ qid: qid!, leaves: question, candidates });
  }
  if (out.length === 0) throw new EvalDataError(file, "no <QApairs id='...'> blocks: not a TrecQA file");
  return out;
}
