"""SM CNN's external features: word overlap between a question and an answer.

castorini's SMModel takes 4 external features (`ext_feats`) beside the two
sentence vectors; Severyn & Moschitti (2015) used word overlap counts, plain and
IDF-weighted, with and without stopwords. tinycnn computes, from the normalized
tokens (converters/train/tokens.py, the serving side's `ptb` tokenizer):

  0  overlap          question tokens found in the answer / question tokens
  1  overlap, no stop the same over question tokens that are not stopwords (0 if none)
  2  idf overlap      sum of idf(w) over question tokens found in the answer /
                      sum of idf(w) over question tokens
  3  idf, no stop     the same without stopwords (0 if none)

A question token counts once per occurrence; "found" means the word occurs among
the answer's tokens. idf(w) = ln(N / (1 + df(w))) over the N training answers
(documents), a word never seen in training gets ln(N); computed once by training
and shipped, with the stopword list, in the weight file's metadata
(`tinycnn.ext_features`), so the server computes exactly these numbers
(src/text/overlap.ts; test/text/overlap.test.ts checks every TEST pair).
Sums run in float64 in token order; the features are then rounded to float32.
"""

import math

import numpy as np

NAME = "overlap-idf-v1"

# Function words and punctuation tokens: what "without stopwords" leaves out.
STOPWORDS = sorted(set("""
a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further
had has have having he her here hers herself him himself his how i if in into is it its itself
just me more most my myself no nor not of off on once only or other our ours ourselves out over
own same she should so some such than that the their theirs them themselves then there these
they this those through to too under until up very was we were what when where which while who
whom why will with would you your yours yourself yourselves 's 're 've 'd 'll 'm n't
. , ? ! ; : -- - ... ' " ( ) [ ] { } ` $ % &
""".split()))


def document_frequencies(documents):
    """[[tokens]] -> ({word: df}, N)."""
    df = {}
    for tokens in documents:
        for w in set(tokens):
            df[w] = df.get(w, 0) + 1
    return df, len(documents)


def spec(documents):
    """The `tinycnn.ext_features` metadata value (a dict; stored as compact JSON):
    {"name", "stopwords": [...], "idf": [[value, "word word ..."], ...], "idf_other": value},
    values float32-exact, groups by increasing document frequency, words sorted."""
    df, n = document_frequencies(documents)
    f32 = lambda x: float(np.float32(x))  # noqa: E731
    groups = {}
    for w, c in sorted(df.items()):
        if c >= 2:
            groups.setdefault(c, []).append(w)
    return {"name": NAME, "stopwords": STOPWORDS,
            "idf": [[f32(math.log((n + 1) / (c + 1))), " ".join(groups[c])] for c in sorted(groups)],
            "idf_other": f32(math.log((n + 1) / 2))}


def idf_weights(spec_):
    """The spec's idf groups -> ({word: idf}, weight of every other word)."""
    return {w: value for value, words in spec_["idf"] for w in words.split(" ")}, spec_["idf_other"]


def features(spec_, q_tokens, a_tokens, weights=None):
    """-> float32 array (4,) for one (question, answer) pair; `weights` caches idf_weights(spec_)."""
    answer = set(a_tokens)
    stop = set(spec_["stopwords"])
    idf, unknown = weights or idf_weights(spec_)
    n = n_found = n_content = n_content_found = 0
    w_all = w_found = w_content = w_content_found = 0.0
    for t in q_tokens:
        weight = idf.get(t, unknown)
        found = t in answer
        n += 1
        w_all += weight
        if found:
            n_found += 1
            w_found += weight
        if t not in stop:
            n_content += 1
            w_content += weight
            if found:
                n_content_found += 1
                w_content_found += weight
    ratio = lambda a, b: a / b if b > 0 else 0.0  # noqa: E731
    return np.array([ratio(n_found, n), ratio(n_content_found, n_content),
                     ratio(w_found, w_all), ratio(w_content_found, w_content)], dtype=np.float32)
