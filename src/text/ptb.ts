/**
 * Typed text -> the Penn-Treebank-style tokens tinycnn's trained models were trained on
 * (tokenizer mode `ptb`). People type "I didn't like Mr. Smith's film (at all)!"; the
 * Stanford Sentiment Treebank and TrecQA hold "I did n't like Mr. Smith 's film -LRB- at
 * all -RRB- !". This maps the first onto the second's tokens:
 *
 *   i did n't like mr . smith 's film ( at all ) !
 *
 * Two stages:
 *   1. split typed text the way the treebank tokenizer did: punctuation off words,
 *      clitics off their host (did|n't, ca|n't, it|'s, they|'re), commas and colons
 *      unless between digits, a closing quote off a plural possessive, dashes and
 *      ellipses as tokens; hyphenated words, decimals, "50,000", "3:30", "and/or",
 *      "o'clock", "'70s" and "'em" stay whole;
 *   2. the rules the training side applies to every treebank leaf too
 *      (converters/train/tokens.py, the other half of this contract): NFKC, PTB escapes
 *      (-LRB- ...) undone, every double quote is `"` and every single quote `'`, lower
 *      case, a trailing "." is a token of its own ("mr." -> mr ., "u.s." -> u.s ., as
 *      TrecQA writes them), and "!?" is two tokens.
 * Space-joined treebank leaves come out as the training tokens exactly (checked on every
 * SST and TrecQA test sentence by test/text/ptb.test.ts); typed text lands on them for
 * all but a few sentences, and `tinycnn eval --typed` measures what that costs.
 */

const FORMAT_CHARS = /\p{Cf}/gu;
const ESCAPES = /-(LRB|RRB|LSB|RSB|LCB|RCB)-/gi;
const ESCAPED_CHARS = /\\([/*])/g; // PTB writes \/ and \*
const ESCAPED: Record<string, string> = { lrb: '(', rrb: ')', lsb: '[', rsb: ']', lcb: '{', rcb: '}' };
const DOUBLE_QUOTES = /``|''|[\u201c\u201d\u201e\u201f\u00ab\u00bb]/g;
const SINGLE_QUOTES = /[`\u2018\u2019\u201a\u201b]/g;
const DASHES = /[\u2013\u2014\u2015]|-{2,}/g;
// always tokens of their own (and any non-ASCII symbol: emoji, currency, dingbats -- "great😀" is great 😀)
const ALWAYS_SPLIT = /\.{3,}|["()[\]{};!?$%#]|(?!\p{ASCII})\p{S}/gu;
// commas and colons, except between digits (50,000 and 3:30 stay whole)
const COMMA_COLON = /(?<!\d)[,:]|[,:](?!\d)/g;
// a leading quote stays on clitics, 'em, 'n', 'til, 'cause and decades ('70s)
const KEEP_LEADING_QUOTE = /^'(?:em|n'?|til|cause|\d\ds?|s|re|ve|d|ll|m)$/i;
// a trailing quote stays on ol' and 'n'
const KEEP_TRAILING_QUOTE = /^(?:ol|'n)'$/i;
const CLITIC = /^(.+?)(n't|'s|'re|'ve|'d|'ll|'m)$/i;
const BANGS = /^[!?]{2,}$/;

/**
 * Tokenizes typed text into treebank tokens (may return an empty list).
 * @param text any string
 */
export function ptbTokens(text: string): string[] {
  let s = text.normalize('NFKC').replace(FORMAT_CHARS, '');
  s = s.replace(ESCAPES, (_, name: string) => ` ${ESCAPED[name.toLowerCase()]} `).replace(ESCAPED_CHARS, '$1');
  s = s.replace(DOUBLE_QUOTES, '"').replace(SINGLE_QUOTES, "'");
  s = s.replace(DASHES, ' -- ').replace(ALWAYS_SPLIT, ' $& ').replace(COMMA_COLON, ' $& ');
  const out: string[] = [];
  for (const chunk of s.split(/\s+/)) {
    if (chunk !== '') splitChunk(chunk, out);
  }
  return out;
}

/** Stage 1 on one whitespace-free chunk, then stage 2 on each piece; appends to `out`. */
function splitChunk(chunk: string, out: string[]): void {
  const tail: string[] = []; // peeled from the end, in reverse order
  let word = chunk;
  for (;;) {
    if (word.length > 1 && word.endsWith("'") && !KEEP_TRAILING_QUOTE.test(word)) {
      tail.push("'");
      word = word.slice(0, -1);
    } else if (hasOwnPeriod(word)) {
      tail.push('.');
      word = word.slice(0, -1);
    } else if (word.length > 1 && word.startsWith("'") && !KEEP_LEADING_QUOTE.test(word)) {
      pushCanonical("'", out);
      word = word.slice(1);
    } else {
      break;
    }
  }
  const clitic = CLITIC.exec(word); // host + clitic: did|n't, it|'s
  if (clitic) {
    pushCanonical(clitic[1]!, out);
    pushCanonical(clitic[2]!, out);
  } else if (/^cannot$/i.test(word)) {
    pushCanonical(word.slice(0, 3), out);
    pushCanonical(word.slice(3), out);
  } else {
    pushCanonical(word, out);
  }
  for (let i = tail.length - 1; i >= 0; i--) out.push(tail[i]!);
}

/** A word whose final "." is a token of its own ("mr." -> mr ., "u.s." -> u.s .): all but "...". */
function hasOwnPeriod(word: string): boolean {
  return word.length > 1 && word.endsWith('.') && /[^.]/.test(word);
}

/** Stage 2 (the rules tokens.py applies to treebank leaves) on one token. */
function pushCanonical(token: string, out: string[]): void {
  const t = token.toLowerCase();
  if (hasOwnPeriod(t)) {
    out.push(t.slice(0, -1), '.');
  } else if (BANGS.test(t)) {
    for (const c of t) out.push(c);
  } else {
    out.push(t);
  }
}
