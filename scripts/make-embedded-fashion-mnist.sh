#!/usr/bin/env bash
# Regenerates the Fashion-MNIST slice embedded in semaim/src/main/resources/dev/semaim/data/fashion-mnist/
# (loaded by dev.semaim.data.EmbeddedFashionMnist): the first N_TRAIN training and N_TEST test images and labels
# of Debian's dataset-fashion-mnist package (apt-get install dataset-fashion-mnist), as gzipped IDX files with
# the count field of the header rewritten. gzip -n keeps the output byte-identical across runs.
# Usage: scripts/make-embedded-fashion-mnist.sh [source-dir]   (env N_TRAIN, N_TEST override the sizes)
# No pipefail: `head -c` closing the pipe early is the normal way to cut the stream; the length check below
# catches a short source instead.
set -eu

SRC=${1:-/usr/share/datasets/fashion-mnist}
# 3500 rather than 4000 training images keeps the four files under 2 MB (Fashion-MNIST gzips to ~430 B/image).
N_TRAIN=${N_TRAIN:-3500}
N_TEST=${N_TEST:-1000}
DEST=$(cd "$(dirname "$0")/.." && pwd)/semaim/src/main/resources/dev/semaim/data/fashion-mnist
mkdir -p "$DEST"

# Big-endian int32 as raw bytes.
be32() {
  printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(( ($1 >> 24) & 255 )) $(( ($1 >> 16) & 255 )) \
    $(( ($1 >> 8) & 255 )) $(( $1 & 255 )))"
}

# slice <name> <count>: images (magic 2051, 16-byte header, 784 bytes each) or labels (magic 2049, 8-byte header).
slice() {
  local name=$1 n=$2 in="$SRC/$1.gz" out="$DEST/$1.gz" want
  [[ -f $in ]] || { echo "missing $in (apt-get install dataset-fashion-mnist)" >&2; exit 1; }
  {
    if [[ $name == *images* ]]; then
      be32 2051; be32 "$n"; be32 28; be32 28
      gzip -dc "$in" | tail -c +17 | head -c $(( n * 784 ))
    else
      be32 2049; be32 "$n"
      gzip -dc "$in" | tail -c +9 | head -c "$n"
    fi
  } | gzip -9 -n > "$out"
  if [[ $name == *images* ]]; then want=$(( 16 + n * 784 )); else want=$(( 8 + n )); fi
  [[ $(gzip -dc "$out" | wc -c) -eq $want ]] || { echo "$out: expected $want bytes uncompressed" >&2; exit 1; }
  echo "$out: $(stat -c %s "$out") bytes"
}

slice train-images-idx3-ubyte "$N_TRAIN"
slice train-labels-idx1-ubyte "$N_TRAIN"
slice t10k-images-idx3-ubyte "$N_TEST"
slice t10k-labels-idx1-ubyte "$N_TEST"
