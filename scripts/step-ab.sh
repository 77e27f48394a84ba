#!/bin/bash
# A/B of whole training steps between a git revision (A) and the working tree (B), alternating in one JVM
# (dev.semaim.bench.StepAB, bench module), so that both meet the same moments of a noisy host. A must have
# CpuBench.trainStep (round five of issue 8 onwards); its benchmark mains may be in the semaim module (before
# issue 16) or the bench module. Compiles both offline with Maven (installs nothing).
#
# Usage: scripts/step-ab.sh <rev> [vit-t1|aim-t1|vit-s] [pairs]      e.g. scripts/step-ab.sh HEAD~3 aim-t1 15
# Prints each pair and a RESULT line: B's median per-pair speed-up over A with its quartiles.
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:?usage: $0 <rev> [config] [pairs]}
config=${2:-vit-t1}
pairs=${3:-21}
case $config in
  vit-t1) heap=3g young=600m ;;
  aim-t1) heap=5g young=800m ;;
  vit-s) heap=3500m young=600m ;;
  *) echo "step-ab: unknown configuration '$config' (vit-t1, aim-t1, vit-s)" >&2; exit 2 ;;
esac
tree=$(mktemp -d /tmp/step-ab.XXXXXX)
trap 'git worktree remove --force "$tree"' EXIT
git worktree add -q --detach "$tree" "$rev"
source scripts/bench-classpath.sh
bench_compile "$tree"
bench_compile "$PWD"
java --add-modules jdk.incubator.vector -XX:+UseParallelGC -XX:-UseAdaptiveSizePolicy -Xms$heap -Xmx$heap -Xmn$young \
  -XX:+UseTransparentHugePages -cp "$(bench_classpath "$PWD")" dev.semaim.bench.StepAB "$config" "$pairs" \
  "$(bench_classpath "$tree")" "$(bench_classpath "$PWD")"
