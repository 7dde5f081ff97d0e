"""Treebank leaves -> the tokens tinycnn's `ptb` tokenizer produces from typed text.

The serving side (src/text/ptb.ts, tokenizer mode `ptb`) turns
"I didn't like Mr. Smith's film (at all)!" into
  i did n't like mr . smith 's film ( at all ) !
This is the training side of the same contract. A leaf of SST or TrecQA is already
Penn-Treebank tokenized; it becomes tokens by the rules both sides share:
  1. NFKC; PTB escapes undone: -LRB- -RRB- -LSB- -RSB- -LCB- -RCB- -> ( ) [ ] { },
     \\/ -> /, \\* -> *;
  2. quotes: `` '' and curly double quotes -> ", ` and curly single quotes -> '
     (typed text does not say which side of a word a quote is on);
  3. lower case; a non-ASCII symbol (emoji, currency, dingbats: Unicode category S*) is a token
     of its own; split on whitespace (one SST leaf holds a non-breaking space);
  4. a token ending in "." loses it to a "." token of its own ("mr." -> mr ., "u.s." ->
     u.s ., as TrecQA's tokenizer writes them), unless it is all dots ("..."); a run of ! and ? becomes one
     token per character ("!?" -> ! ?); an opening quote glued to a word is a token of
     its own ('somewhat -> ' somewhat; TrecQA has a few), except on clitics ('s) and
     'em 'n' 'til 'cause '70s.
test/text/ptb.test.ts checks on every SST and TrecQA test sentence that the
TypeScript tokenizer given the space-joined leaves returns exactly these tokens.
"""

import re
import unicodedata

_ESCAPES = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}"}
_DOUBLE_QUOTES = re.compile(r"``|''|[\u201c\u201d\u201e\u201f\u00ab\u00bb]")
_SINGLE_QUOTES = re.compile(r"[`\u2018\u2019\u201a\u201b]")
_BANGS = re.compile(r"[!?]{2,}")
_KEEP_LEADING_QUOTE = re.compile(r"'(?:em|n'?|til|cause|\d\ds?|s|re|ve|d|ll|m)")


def canonical(token):
    """Rule 4 on one lower-cased token -> [tokens]."""
    if len(token) > 1 and token.startswith("'") and not _KEEP_LEADING_QUOTE.fullmatch(token):
        return ["'"] + canonical(token[1:])
    if token.endswith(".") and token.strip("."):
        return [token[:-1], "."]
    if _BANGS.fullmatch(token):
        return list(token)
    return [token]


def leaf_tokens(leaf):
    s = unicodedata.normalize("NFKC", leaf)
    s = _ESCAPES.get(s, s).replace("\\/", "/").replace("\\*", "*")
    s = _SINGLE_QUOTES.sub("'", _DOUBLE_QUOTES.sub('"', s))
    s = "".join(f" {c} " if ord(c) > 0x7F and unicodedata.category(c).startswith("S") else c for c in s)
    return [t for word in s.lower().split() for t in canonical(word)]


def normalize(leaves):
    """[leaves] -> [tokens]."""
    return [t for leaf in leaves for t in leaf_tokens(leaf)]
