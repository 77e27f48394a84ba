#!/bin/bash
# A/B of whole training steps between a git revision (A) and the working tree (B), alternating in one JVM
# (dev.semaim.bench.StepAB), so that both meet the same moments of a noisy host. A must have
# CpuBench.trainStep (round five of issue 8 onwards).
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
(cd "$tree" && mvn -q -o -pl semaim -am compile)
mvn -q -o -pl semaim -am compile
mvn -q -o -pl semaim dependency:build-classpath -Dmdep.outputFile=/tmp/step-ab.cp >/dev/null
deps=$(tr ':' '\n' < /tmp/step-ab.cp | grep -v '/dev/semaim/' | paste -sd:)
classes() { echo "$1/tensor/target/classes:$1/autograd/target/classes:$1/nn/target/classes:$1/semaim/target/classes:$deps"; }
java --add-modules jdk.incubator.vector -XX:+UseParallelGC -XX:-UseAdaptiveSizePolicy -Xms$heap -Xmx$heap -Xmn$young \
  -XX:+UseTransparentHugePages -cp "$(classes "$PWD")" dev.semaim.bench.StepAB "$config" "$pairs" "$(classes "$tree")" "$(classes "$PWD")"
