#!/usr/bin/python3
"""Default word vectors for the reference models: Kim's "rand" mode, untrained.

Writes a word2vec *binary* file ("COUNT DIM\\n", then per word: WORD, a space, DIM float32
little-endian, "\\n") that `tinycnn vectors convert` turns into the embedded store
(weights/vectors-*.tcv). See converters/make_vectors.sh for the whole, byte-reproducible
sequence.

Vocabulary (deterministic, COUNT words, default 10,000):
  1. CORE below, in order: the tokens clean_str_sst / Penn-Treebank text produce that a
     word list lacks (punctuation kept by clean_str_sst, clitics such as 's and n't,
     contractions), function words, and common review words.
  2. Then words of Debian's wamerican list (/usr/share/dict/american-english) that are
     lower-case ASCII letters only (no proper nouns, no possessives, no accents), 2+ letters,
     shortest first (a proxy for common; the list has no frequencies), ties broken by
     FNV-1a 32 of the word (so 6-letter words are not all from a-f), then the word.

Vectors: torch.manual_seed(SEED); torch.rand(COUNT, DIM) * 0.5 - 0.25, i.e. uniform in
[-0.25, 0.25) as Kim's CNN_sentence initializes unknown / "rand" words; then rounded to the
nearest float16 (.half().float()) so that an f16 store holds them exactly: half the package
size and no difference at all from the float32 values PyTorch sees.
"""
import argparse
import hashlib
import json
import sys

import numpy as np
import torch

CORE = """
, ! ? ( ) ' ` `` '' 's n't 're 've 'd 'll 'm -lrb- -rrb- . : ; -- ... - &
the a an and or but nor so yet if then than that this these those there here
i me my mine myself you your yours yourself he him his himself she her hers herself
it its itself we us our ours ourselves they them their theirs themselves
who whom whose which what when where why how whatever whoever
is am are was were be been being have has had having do does did doing done
will would shall should can could may might must ought
not no never none nothing nobody nowhere neither without
to of in on at by for with from about into onto over under above below between among
through during before after since until while against across along around behind beyond
up down out off again further once only just also very too quite rather really almost
all any both each every few more most other some such own same many much several
one two three four five six seven eight nine ten first second last next
0 1 2 3 4 5 6 7 8 9 10 100
don't doesn't didn't isn't aren't wasn't weren't can't couldn't won't wouldn't
shouldn't haven't hasn't hadn't it's that's there's what's i'm i've i'd i'll
you're you've he's she's we're they're let's
movie movies film films story plot character characters actor actors actress acting
performance performances director script scene scenes cast role screen audience
comedy drama thriller horror action romance music ending beginning time times
good great best better bad worse worst fine nice fun funny boring dull awful terrible
excellent wonderful beautiful brilliant amazing perfect poor weak strong solid
interesting entertaining enjoyable moving touching predictable original clever smart
stupid silly mess masterpiece love loved loves like liked likes hate hated enjoy enjoyed
make makes made making see seen saw watch watched watching feel feels felt think
thought know knew get gets got give gives gave go goes went come comes came take took
say says said look looks looked seem seems seemed find found want wanted tell told
work works worked need needs try tried keep kept let put turn turns turned
life world people man men woman women year years day days way thing things something
anything everything someone anyone everyone kind sort lot bit part end point fact
new old young long short big small little high low real true full whole hard easy
even still ever always often sometimes maybe perhaps though although because however
well back now today yes ok
""".split()


def fnv1a32(word):
    h = 0x811C9DC5
    for b in word.encode('utf-8'):
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def vocabulary(dict_path, count):
    words, seen = [], set()
    for w in CORE:
        if w not in seen:
            seen.add(w)
            words.append(w)
    with open(dict_path, encoding='utf-8') as f:
        candidates = {line.strip() for line in f}
    pool = sorted(
        (w for w in candidates if len(w) >= 2 and w.isascii() and w.isalpha() and w.islower() and w not in seen),
        key=lambda w: (len(w), fnv1a32(w), w),
    )
    words.extend(pool[: max(0, count - len(words))])
    if len(words) < count:
        sys.exit(f'make_vectors.py: only {len(words)} words available, {count} requested')
    return words[:count]


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--dim', type=int, required=True, help='300 for Kim CNN, 50 for SM CNN')
    p.add_argument('--seed', type=int, required=True, help='torch.manual_seed value')
    p.add_argument('--count', type=int, default=10000, help='vocabulary size (default 10000)')
    p.add_argument('--dict', default='/usr/share/dict/american-english', help="Debian wamerican's word list")
    p.add_argument('--out', required=True, help='word2vec binary output path, or - for stdout')
    a = p.parse_args()

    words = vocabulary(a.dict, a.count)
    torch.manual_seed(a.seed)
    w = (torch.rand(len(words), a.dim, dtype=torch.float32) * 0.5 - 0.25).half().float()  # (count, dim)
    rows = w.numpy().astype('<f4')

    out = sys.stdout.buffer if a.out == '-' else open(a.out, 'wb')
    out.write(f'{len(words)} {a.dim}\n'.encode())
    for word, row in zip(words, rows):
        out.write(word.encode('utf-8') + b' ' + row.tobytes() + b'\n')
    out.flush()
    if out is not sys.stdout.buffer:
        out.close()
    with open(a.dict, 'rb') as f:
        dict_sha = hashlib.sha256(f.read()).hexdigest()
    info = {'words': len(words), 'dim': a.dim, 'seed': a.seed, 'torch': torch.__version__,
            'dict_sha256': dict_sha, 'min': float(w.min()), 'max': float(w.max())}
    print(json.dumps(info), file=sys.stderr)


if __name__ == '__main__':
    main()
