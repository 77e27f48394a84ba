#!/bin/bash
# Side-by-side CPU benchmark: ours (dev.semaim.bench.CpuBench) and PyTorch (scripts/torch/bench_cpu.py) on the
# same configurations, interleaved in one session so that each ratio is measured under the same machine load.
#
# Usage: scripts/bench-cpu.sh [-r rounds] [-o results.jsonl] [-s] [config:mode[:batch[:patch]] ...]
#   default configurations: vit-t1:train aim-t1:train vit-s:train vit-t1:infer aim-t1:infer vit-s:infer
#   -r  rounds (default 1): each round runs every configuration once per side, alternating which side goes first
#   -s  also the scaling runs (ours and PyTorch; 1 warm-up + 3 timed steps): vit-t1 train at batch 32 and 64 (128 is
#       the main run) and, at batch 32, patch 7 and 2 (17 and 197 tokens; patch 4 = 50 tokens is the batch-32 run)
# Needs: Java 17, Maven (compiles the modules and the bench module offline, installs nothing: see
# scripts/bench-classpath.sh), /usr/bin/python3 with PyTorch (Debian python3-torch, with libopenblas0-openmp).
# Each run is its own process (peak resident memory per configuration); both sides use 2 threads
# (torch.set_num_threads(2), CpuThreads' default = the 2 cores). Set CLASSPATH_OVERRIDE to run classes
# compiled elsewhere; JAVA_OPTS adds JVM flags. Prints a table of medians and ratios at the end, the GEMM FLOPs/s of
# both sides as a fraction of the FMA peak our side probes beside its timed steps (dev.semaim.bench.FmaPeak), and
# the kernel configuration chosen for the CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=1
out=$(mktemp /tmp/bench-cpu.XXXXXX.jsonl)
scaling=0
while getopts "r:o:s" opt; do
  case $opt in
    r) rounds=$OPTARG ;;
    o) out=$OPTARG ;;
    s) scaling=1 ;;
    *) echo "usage: $0 [-r rounds] [-o results.jsonl] [-s] [config:mode[:batch[:patch]] ...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
configs=("$@")
[ ${#configs[@]} -eq 0 ] && configs=(vit-t1:train aim-t1:train vit-s:train vit-t1:infer aim-t1:infer vit-s:infer)
if [ $scaling = 1 ]; then
  configs+=(vit-t1:train:32:4:s vit-t1:train:64:4:s vit-t1:train:32:7:s vit-t1:train:32:2:s)
fi

if [ -n "${CLASSPATH_OVERRIDE:-}" ]; then
  cp=$CLASSPATH_OVERRIDE
else
  source scripts/bench-classpath.sh
  bench_compile "$PWD"
  cp=$(bench_classpath "$PWD")
fi
# ParallelGC with a fixed heap (-Xms = -Xmx, so it never shrinks and re-faults its pages), and transparent huge
# pages where the kernel offers them (madvise): G1 ran the same steps 25-35% slower (vit-s 4.9 vs 3.0-3.4 s, aim-t1 5.6 vs 4.4 s; GEMM
# alone 3.7 vs 2.3 s on vit-s). The heap limit bounds the resident peak (the JVM keeps what it once
# touched), so each configuration's heap is chosen to stay under PyTorch's peak (BENCH_XMX overrides).
heap() {
  if [ -n "${BENCH_XMX:-}" ]; then echo "$BENCH_XMX"; return; fi
  case $1:$2 in
    aim-t1:train) echo 2600m ;;
    vit-s:train) echo 1650m ;;
    *:train) echo 1350m ;;
    *) echo 300m ;;
  esac
}
young() {
  # Training recycles its whole working set (activations and gradients go back to the buffer pool, which keeps
  # them in the old generation between steps): a young generation just large enough for what a step still
  # allocates afresh (0.03-0.14 GB), the rest old. Inference allocates more than it keeps: half young.
  case $1:$2 in
    aim-t1:train) echo -Xmn600m ;;
    vit-s:train) echo -Xmn400m ;;
    *:train) echo -Xmn450m ;;
    *) echo -XX:NewRatio=1 ;;
  esac
}
thp=""
grep -qE '\[(always|madvise)\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null && thp=-XX:+UseTransparentHugePages

echo "bench-cpu: $(date -u +%FT%TZ), $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "java: $(java -version 2>&1 | head -1); torch: $(/usr/bin/python3 -c 'import torch; print(torch.__version__)')"
echo "results: $out"

run_ours() {  # config mode batch patch warmup timed; a failed run (e.g. out of memory) is reported and skipped
  # shellcheck disable=SC2086
  java --add-modules jdk.incubator.vector -XX:+UseParallelGC -XX:-UseAdaptiveSizePolicy -Xmx"$(heap "$1" "$2")" -Xms"$(heap "$1" "$2")" \
    $(young "$1" "$2") $thp -Dsemaim.profile=true ${JAVA_OPTS:-} \
    -cp "$cp" dev.semaim.bench.CpuBench "$1" "$2" "$3" "$5" "$6" "$4" 2>&1 | grep -v '^WARNING: Using incubator' \
    | tee -a /dev/stderr | sed -n 's/^RESULT //p' >> "$out" || echo "ours $*: failed" >&2
}

run_torch() {
  /usr/bin/python3 scripts/torch/bench_cpu.py "$1" "$2" --batch "$3" --patch "$4" --warmup "$5" --timed "$6" --profile 2>&1 \
    | tee -a /dev/stderr | sed -n 's/^RESULT //p' >> "$out" || echo "torch $*: failed" >&2
}

for ((r = 0; r < rounds; r++)); do
  for c in "${configs[@]}"; do
    IFS=: read -r config mode batch patch short <<< "$c"
    if [ -n "${short:-}" ]; then steps=(1 3); else steps=(2 5); fi
    if [ "$config" = vit-s ]; then batch=${batch:-16}; patch=${patch:-16}; else batch=${batch:-128}; patch=${patch:-4}; fi
    echo "== round $r: $config $mode batch $batch patch $patch (load $(cut -d' ' -f1 /proc/loadavg))" >&2
    if (( r % 2 == 0 )); then
      run_ours "$config" "$mode" "$batch" "$patch" "${steps[@]}"; run_torch "$config" "$mode" "$batch" "$patch" "${steps[@]}"
    else
      run_torch "$config" "$mode" "$batch" "$patch" "${steps[@]}"; run_ours "$config" "$mode" "$batch" "$patch" "${steps[@]}"
    fi
  done
done

/usr/bin/python3 - "$out" <<'EOF'
import json, statistics, sys
from collections import defaultdict
runs = defaultdict(lambda: defaultdict(list))
for line in open(sys.argv[1]):
    r = json.loads(line)
    runs[(r['config'], r['mode'], r['batch'], r['patch'])][r['side']].append(r)
print()
kernels = {x.get('kernels') for s in runs.values() for x in s.get('ours', []) if x.get('kernels')}
for k in sorted(kernels):
    print('kernels:', k)
print('| configuration | ours images/s | PyTorch images/s | ratio | ours / PyTorch CPU-s per step | FMA peak GFLOP/s | ours / PyTorch GEMM GFLOP/s (of peak) | ours / PyTorch peak MiB |')
print('|---|---|---|---|---|---|---|---|')
def med(rs, k):
    v = [x[k] for x in rs if k in x]
    return statistics.median(v) if v else float('nan')
for key, sides in runs.items():
    o, t = sides.get('ours', []), sides.get('torch', [])
    oi, ti = med(o, 'images_per_s'), med(t, 'images_per_s')
    flops = med(o, 'flops')  # the same products on both sides: our count of one step
    og, tg = flops / med(o, 'median_step_s') / 1e9, flops / med(t, 'median_step_s') / 1e9
    peak = med(o, 'fma_peak_gflops')  # probed by our side, beside its timed steps, in the same round as PyTorch's run
    om = max((x['peak_rss_mib'] for x in o), default=float('nan'))
    tm = max((x['peak_rss_mib'] for x in t), default=float('nan'))
    name = f'{key[0]} {key[1]} batch {key[2]} patch {key[3]}'
    print(f'| {name} | {oi:.2f} | {ti:.2f} | {oi / ti:.2f} | {med(o, "median_cpu_s"):.2f} / {med(t, "median_cpu_s"):.2f} '
          f'| {peak:.1f} | {og:.1f} ({og / peak:.0%}) / {tg:.1f} ({tg / peak:.0%}) | {om:.0f} / {tm:.0f} |')
print()
print('time split of one profiled step, seconds (ours / PyTorch):')
for key, sides in runs.items():
    parts = []
    for side in ('ours', 'torch'):
        s = [x['split_s'] for x in sides.get(side, []) if 'split_s' in x]
        if s:
            keys = sorted(set().union(*s))
            parts.append(side + ' ' + ', '.join(f'{k} {statistics.median(d.get(k, 0) for d in s):.3f}' for k in keys))
    print(f'  {key[0]} {key[1]} b{key[2]} p{key[3]}: ' + ' | '.join(parts))
EOF
