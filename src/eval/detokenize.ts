/**
 * Treebank leaves -> text the way a person would type it, to measure what tokenizing typed
 * text costs (`tinycnn eval --typed`): "I did n't like it -LRB- at all -RRB- !" becomes
 * "I didn't like it (at all)!".
 *
 * Brackets and double quotes hug what they enclose, punctuation and clitics ('s, n't) join
 * the word before, `$` the word after, PTB escapes are undone, a dash becomes an em dash
 * without spaces. Case is kept (SST and TrecQA keep the original case).
 */

const OPENING = new Set(['-LRB-', '-LSB-', '-LCB-', '``', '`', '$', '#', '--']);
const CLOSING = new Set([
  '-RRB-',
  '-RSB-',
  '-RCB-',
  "''",
  "'",
  ',',
  '.',
  ';',
  ':',
  '!',
  '?',
  '...',
  '%',
  '--',
  "n't",
  "'s",
  "'re",
  "'ve",
  "'d",
  "'ll",
  "'m",
  "N'T",
  "'S",
  "'RE",
  "'VE",
  "'D",
  "'LL",
  "'M",
]);
const SPELLING: Record<string, string> = {
  '-LRB-': '(',
  '-RRB-': ')',
  '-LSB-': '[',
  '-RSB-': ']',
  '-LCB-': '{',
  '-RCB-': '}',
  '``': '"',
  "''": '"',
  '`': "'",
  '--': '\u2014',
};

/**
 * @param leaves the sentence's treebank tokens
 * @returns the sentence as typed text
 */
export function detokenize(leaves: readonly string[]): string {
  let out = '';
  let glueNext = true; // no space before the first word
  for (const leaf of leaves) {
    const text = SPELLING[leaf] ?? leaf.replace(/\\([/*])/g, '$1');
    out += (glueNext || CLOSING.has(leaf) ? '' : ' ') + text;
    glueNext = OPENING.has(leaf);
  }
  return out;
}
