#!/bin/bash
# A/B of a single-thread training step between a git revision (A) and the working tree (B), each run in its own
# fresh JVM, alternating, ROUNDS rounds. Where scripts/step-ab.sh puts A and B in one JVM (the same moments of a
# noisy host), this one gives every run its own JIT: a kernel that C2 compiles well in some JVMs and badly in others
# (the 8x3 GEMM tile's spilled accumulators, BENCHMARKS.md "A register tile C2 compiles the same way every time")
# shows up here as a bimodal column, and in one JVM not at all.
#
# Usage: scripts/jvm-ab.sh <rev> [rounds] [vit-t1|aim-t1] [batch]      e.g. scripts/jvm-ab.sh HEAD~1 8 aim-t1 64
# Prints, per run: the median step (s, of 3 after 1 warm-up), the user and system CPU seconds of the whole run (JIT
# included: the steadier figure on a shared host), and the share of JFR's execution samples in the GEMM
# micro-kernels (Gemm.kernel*), whose jump marks a badly compiled kernel.
# Needs: Java 17 (java, jfr), Maven (offline compile, installs nothing), GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:?usage: $0 <rev> [rounds] [config] [batch]}
rounds=${2:-8}
config=${3:-aim-t1}
batch=${4:-64}
tree=$(mktemp -d /tmp/jvm-ab.XXXXXX)
out=$(mktemp -d /tmp/jvm-ab-jfr.XXXXXX)
trap 'git worktree remove --force "$tree"; rm -rf "$out"' EXIT
git worktree add -q --detach "$tree" "$rev"
source scripts/bench-classpath.sh
bench_compile "$tree"
bench_compile "$PWD"
for ((r = 1; r <= rounds; r++)); do
  for side in A B; do
    dir=$tree
    [[ $side == B ]] && dir=$PWD
    jfr_file="$out/$side-$r.jfr"
    line=$( { /usr/bin/time -f "TIME %U %S" java --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xss8m -Xmx3g \
      -XX:ParallelGCThreads=1 -Dsemaim.threads=1 -XX:StartFlightRecording=filename="$jfr_file",settings=profile \
      -cp "$(bench_classpath "$dir")" dev.semaim.bench.CpuBench "$config" train "$batch" 1 3 2>&1; } \
      | grep -E '^RESULT|^TIME' | sed -E 's/.*"median_step_s": ([0-9.]+).*/\1/' | tr '\n' ' ')
    kernel=$(jfr print --events jdk.ExecutionSample "$jfr_file" \
      | awk '/stackTrace = \[/ { n++; for (i = 0; i < 6; i++) { getline; if ($0 ~ /Gemm\.kernel/) { k++; break } } }
             END { printf "%.1f", n ? 100 * k / n : 0 }')
    read -r step _ user sys <<<"$line"
    printf '%s round %d: step %s s, user %s s, sys %s s, micro-kernel %s%% of samples\n' "$side" "$r" "$step" "$user" "$sys" "$kernel"
  done
done
