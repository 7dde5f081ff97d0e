"""TrecQA (Yao et al. 2013 splits) as tinycnn trains and evaluates on it.

The files are pseudo-XML: each `<QApairs id=...>` holds a `<question>` and
`<positive>` / `<negative>` candidate answers; each is a block of tab-separated
lines, the first of which is the tokens (then POS, dependency labels, heads, NER).

    questions(path) -> [Question(qid, tokens, [Candidate(tokens, label 0/1)])]
    average_precision / reciprocal_rank / map_mrr: trec_eval's definitions.
"""

import re
from collections import namedtuple

import tokens as tok

Question = namedtuple("Question", "qid tokens candidates")
Candidate = namedtuple("Candidate", "tokens label")

_BLOCK = re.compile(r"<(question|positive|negative)>\n(.*?)\n", re.S)
_PAIRS = re.compile(r"<QApairs id='([^']*)'>(.*?)</QApairs>", re.S)


def questions(path):
    """Parse a TrecQA file; tokens are normalized like every tinycnn training text."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    out = []
    for qid, body in _PAIRS.findall(text):
        q, cands = None, []
        for kind, first_line in _BLOCK.findall(body):
            toks = tok.normalize(first_line.split("\t"))
            if kind == "question":
                q = toks
            else:
                cands.append(Candidate(toks, 1 if kind == "positive" else 0))
        if q is None:
            raise ValueError(f"{path}: QApairs {qid} has no question")
        out.append(Question(qid, q, cands))
    return out


def ranking(scores):
    """Candidate indices by decreasing score; equal scores keep candidate order."""
    return sorted(range(len(scores)), key=lambda i: -scores[i])


def average_precision(labels, scores):
    """trec_eval's AP: mean precision at each relevant rank over all relevant (0 if none)."""
    hits, total = 0, 0.0
    for rank, i in enumerate(ranking(scores), 1):
        if labels[i]:
            hits += 1
            total += hits / rank
    return total / sum(labels) if hits else 0.0


def reciprocal_rank(labels, scores):
    """trec_eval's recip_rank: 1 / rank of the first relevant candidate (0 if none)."""
    for rank, i in enumerate(ranking(scores), 1):
        if labels[i]:
            return 1.0 / rank
    return 0.0


def is_raw(labels):
    """'raw' keeps every question with a candidate (trec_eval never sees one without);
    a question without a positive answer counts with AP = RR = 0."""
    return len(labels) > 0


def is_clean(labels):
    """The 'clean' subset keeps questions with at least one positive and one negative."""
    return 0 < sum(labels) < len(labels)


def map_mrr(per_question):
    """[(labels, scores)] -> {raw: (MAP, MRR, n), clean: (MAP, MRR, n)}."""
    out = {}
    for name, keep in (("raw", is_raw), ("clean", is_clean)):
        rows = [(l, s) for l, s in per_question if keep(l)]
        n = len(rows)
        out[name] = (sum(average_precision(l, s) for l, s in rows) / n,
                     sum(reciprocal_rank(l, s) for l, s in rows) / n, n)
    return out
