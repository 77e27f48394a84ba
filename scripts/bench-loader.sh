#!/bin/bash
# The data loader against torchvision, side by side: dev.semaim.bench.LoaderBenchmark (ours) and
# scripts/torch/bench_loader.py (torchvision ImageFolder + DataLoader) on the same JPEG folder, with the same
# pre-training transform (RandomResizedCrop 224, scale 0.2-1, bicubic; flip; ToTensor; Normalize), batch, workers
# and epochs, interleaved (the side that goes first alternates by round) so that each ratio meets the same load.
#
# Usage: scripts/bench-loader.sh [-r rounds 3] [-w "1 2"] [-e epochs 5] [-b batch 64] [-B rev] [-d folder] [-o out.jsonl]
#   -w  the worker counts to measure (each side runs each count)
#   -B  also measure the loader of git revision <rev> (e.g. dcb37d2, the issue's baseline), compiled in a temporary
#       worktree with this checkout's LoaderBenchmark (it uses only the loader's public API)
#   -d  the image folder (default /tmp/semaim-loader-jpegs: made by scripts/torch/make_jpeg_folder.py when missing,
#       512 ImageNet-like 500x375 JPEGs of quality 90, about 95 KB each, in 4 classes)
# Prints per epoch lines, then a table: steady images/s (median over the epochs after the first, all rounds), the
# first epoch's images/s (JIT warm-up), CPU-ms per image of the whole process (workers included), the ratio to
# torchvision, and the time split (CPU-ms per image, one thread, warm): read, decode, crop/resize(+flip), normalise,
# collate.
# Needs: Java 17, Maven (compiles offline under nice, installs nothing), Debian's torchvision for /usr/bin/python3:
#   apt-get install -y python3-torchvision     (torchvision 0.14.1, PIL 9.4 with libjpeg-turbo, numpy)
# This is a benchmark, not a test: the test suite never runs it and never needs Python.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3 workers="1 2" epochs=5 batch=64 base="" folder=/tmp/semaim-loader-jpegs
out=$(mktemp /tmp/bench-loader.XXXXXX.jsonl)
while getopts "r:w:e:b:B:d:o:" opt; do
  case $opt in
    r) rounds=$OPTARG ;; w) workers=$OPTARG ;; e) epochs=$OPTARG ;; b) batch=$OPTARG ;;
    B) base=$OPTARG ;; d) folder=$OPTARG ;; o) out=$OPTARG ;;
    *) echo "usage: $0 [-r rounds] [-w \"1 2\"] [-e epochs] [-b batch] [-B rev] [-d folder] [-o out.jsonl]" >&2; exit 2 ;;
  esac
done
/usr/bin/python3 -c 'import torchvision' 2>/dev/null \
  || { echo "bench-loader: torchvision is missing: apt-get install -y python3-torchvision" >&2; exit 1; }
[[ -d $folder ]] || /usr/bin/python3 scripts/torch/make_jpeg_folder.py "$folder"

# This checkout: the modules' class folders and the third-party jars (the TwelveMonkeys JPEG plugin).
deps=$(mktemp /tmp/bench-loader.XXXXXX.cp)
nice -n 19 mvn -B -q -o -pl bench -am compile dependency:build-classpath -Dmdep.outputFile="$deps" >/dev/null
jars=$(tr ':' '\n' < "$deps" | grep '\.jar$' | paste -sd:)
source scripts/bench-classpath.sh
cp_ours="$(bench_classpath "$PWD"):$jars"
sides=(ours torchvision)
if [[ -n $base ]]; then
  tree=$(mktemp -d /tmp/bench-loader-base.XXXXXX)
  trap 'git worktree remove --force "$tree"' EXIT
  git worktree add -q --detach "$tree" "$base"
  nice -n 19 bash -c "source scripts/bench-classpath.sh && bench_compile $tree"
  mkdir -p "$tree/loader-bench"
  javac -q --release 17 -cp "$(bench_classpath "$tree"):$jars" -d "$tree/loader-bench" \
    bench/src/main/java/dev/semaim/bench/LoaderBenchmark.java 2>/dev/null \
    || javac --release 17 -cp "$(bench_classpath "$tree"):$jars" -d "$tree/loader-bench" bench/src/main/java/dev/semaim/bench/LoaderBenchmark.java
  cp_base="$tree/loader-bench:$(bench_classpath "$tree"):$jars"
  sides=(ours base torchvision)
fi

echo "bench-loader: $(date -u +%FT%TZ), $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" \
  "(family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | xargs), model $(grep -m1 '^model' /proc/cpuinfo | cut -d: -f2 | xargs))," \
  "load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "java: $(java -version 2>&1 | head -1); $(/usr/bin/python3 -c 'import torchvision, PIL; print("torchvision", torchvision.__version__, "PIL", PIL.__version__)')"
echo "folder: $folder ($(find -L "$folder" -name '*.jpg' | wc -l) JPEGs), batch $batch, workers $workers, $epochs epochs, $rounds rounds; ${base:+base $base, }results: $out"

run() {  # side workers
  local label=$1 w=$2 cp
  echo "== $label, $w workers (load $(cut -d' ' -f1 /proc/loadavg))" >&2
  case $label in
    torchvision) /usr/bin/python3 scripts/torch/bench_loader.py "$folder" --workers "$w" --batch "$batch" --epochs "$epochs" ;;
    *) [[ $label = ours ]] && cp=$cp_ours || cp=$cp_base
       java --add-modules jdk.incubator.vector -XX:+UseParallelGC ${JAVA_OPTS:-} -cp "$cp" \
         dev.semaim.bench.LoaderBenchmark "$folder" "$w" "$batch" "$epochs" 2>&1 | grep -v '^WARNING: Using incubator' ;;
  esac | tee -a /dev/stderr | sed -n "s/^RESULT {/{\"label\": \"$label\", /p" >> "$out" || echo "$label $w: failed" >&2
}

for ((r = 0; r < rounds; r++)); do
  for w in $workers; do
    order=("${sides[@]}")
    (( r % 2 == 1 )) && order=($(printf '%s\n' "${sides[@]}" | tac))
    for s in "${order[@]}"; do run "$s" "$w"; done
  done
done

/usr/bin/python3 - "$out" <<'EOF'
import json, statistics, sys
from collections import defaultdict
runs = defaultdict(lambda: defaultdict(list))
for line in open(sys.argv[1]):
    r = json.loads(line)
    runs[r['workers']][r['label']].append(r)
def group(split):
    g = defaultdict(float)
    for k, v in split.items():
        if k in ('read', 'decode', 'collate'):
            g[k] += v
        elif k in ('ToTensor', 'Normalize'):
            g['normalise'] += v
        elif k in ('RandomResizedCrop', 'HorizontalFlip', 'RandomHorizontalFlip'):
            g['crop/resize/flip'] += v
        else:  # a fused step (ours: ResizedCropFlipNormalize)
            g['crop/resize/flip/normalise (fused)'] += v
    return g
print()
print('| workers | loader | steady images/s (median, range) | first epoch images/s | CPU-ms per image | ratio to torchvision |')
print('|---|---|---|---|---|---|')
for w in sorted(runs):
    sides = runs[w]
    steady = {k: [x for r in v for x in r['images_per_s'][1:]] for k, v in sides.items()}
    tv = statistics.median(steady['torchvision']) if steady.get('torchvision') else float('nan')
    for label in ('ours', 'base', 'torchvision'):
        if label not in sides:
            continue
        s = steady[label]
        first = statistics.median(r['images_per_s'][0] for r in sides[label])
        cpu = statistics.median(x for r in sides[label] for x in r['cpu_s_per_image'][1:])
        print(f'| {w} | {label} | {statistics.median(s):.1f} ({min(s):.0f}-{max(s):.0f}) | {first:.1f} | {1e3 * cpu:.2f} '
              f'| {statistics.median(s) / tv:.2f} |')
print()
print('time split, CPU-ms per image (one thread, after the epochs; medians over runs):')
for label in ('ours', 'base', 'torchvision'):
    gs = [group(r['split_ms']) for w in runs for r in runs[w].get(label, [])]
    if gs:
        keys = list(dict.fromkeys(k for g in gs for k in g))
        print(f'  {label}: ' + ', '.join(f'{k} {statistics.median(g.get(k, 0) for g in gs):.2f}' for k in keys)
              + f' (total {statistics.median(sum(g.values()) for g in gs):.2f})')
EOF
