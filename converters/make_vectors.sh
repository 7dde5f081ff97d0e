#!/bin/sh
# Regenerates the default word vectors, byte for byte:
#   weights/vectors-300d.tcv   10,000 words x 300, f16 (Kim CNN)
#   weights/vectors-50d.tcv     10,000 words x 50,  f16 (SM CNN)
# Untrained "rand"-mode vectors (uniform in [-0.25, 0.25], torch.manual_seed 3435, rounded to
# float16 so the f16 store is exact); vocabulary from Debian's wamerican. See make_vectors.py.
#
#   sh converters/make_vectors.sh           write weights/vectors-*.tcv
#   sh converters/make_vectors.sh --check   regenerate in a temp dir, compare with weights/ (CI)
#
# Needs: /usr/bin/python3 with torch + numpy (Debian python3-torch), the wamerican package,
# node + the repo's devDependencies (esbuild bundles src/cli/vectors.ts; no full build needed).
set -eu
cd "$(dirname "$0")/.."
mode=${1:-write}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
dict=/usr/share/dict/american-english
[ -r "$dict" ] || { echo "make_vectors.sh: $dict missing (apt-get install -y wamerican)" >&2; exit 1; }
dict_sha=$(sha256sum "$dict" | cut -d' ' -f1)

echo "import { runVectors } from './src/cli/vectors.ts'; process.exitCode = await runVectors(process.argv.slice(2));" |
  npx --no-install esbuild --bundle --splitting --platform=node --format=esm --packages=external \
    --sourcefile=vectors-cli.ts --loader=ts --outdir="$tmp/cli" --log-level=warning

out=weights
[ "$mode" = --check ] && out=$tmp/out && mkdir -p "$out"
for spec in kim:300 sm:50; do
  name=${spec%%:*} dim=${spec#*:} seed=3435
  /usr/bin/python3 converters/make_vectors.py --dim "$dim" --seed "$seed" --out "$tmp/$name.bin"
  node "$tmp/cli/stdin.js" convert "$tmp/$name.bin" "$out/vectors-${dim}d.tcv" --dtype f16 --quiet \
    --meta "source=converters/make_vectors.py --dim $dim --seed $seed" \
    --meta "kind=untrained Kim rand-mode vectors: torch.rand * 0.5 - 0.25, rounded to float16" \
    --meta "vocabulary=make_vectors.py CORE + Debian wamerican 2020.12.07-2 (sha256 $dict_sha)"
done

if [ "$mode" = --check ]; then
  status=0
  for f in vectors-300d.tcv vectors-50d.tcv; do
    if cmp -s "$out/$f" "weights/$f"; then echo "weights/$f: reproduced byte for byte"
    else echo "weights/$f: DIFFERS from a fresh regeneration" >&2; status=1; fi
  done
  exit $status
fi
ls -l weights/vectors-*.tcv
