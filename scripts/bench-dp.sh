#!/bin/bash
# Data-parallel CPU benchmark (dev.semaim.bench.DataParallelBench): the same global batch of aim-t1 as
# 1 process x 2 threads and as 2 processes x 1 thread under Open MPI (gradients averaged by all-reduce), alternating,
# ROUNDS rounds; prints each run's RESULT line (median step, images/s, all-reduce share of the step).
# Usage: scripts/bench-dp.sh [rounds] [config] [global batch] [warm-up] [timed]    (defaults: 3 aim-t1 128 2 5)
# Needs: Java 17, Maven (offline compile, installs nothing), Open MPI's mpirun (apt-get install openmpi-bin).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
config=${2:-aim-t1}
batch=${3:-128}
steps=("${4:-2}" "${5:-5}")
# the launcher's class path (modules and their runtime jars, JNA included) and the bench module's classes
bin/semaim help >/dev/null
(mvn -q -o -pl bench -am compile) >/dev/null
cp="$(paste -sd: semaim/target/run-classpath.txt):$PWD/bench/target/classes"
java_cmd=(java --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xss8m -Xmx3g ${JAVA_OPTS:-} -cp "$cp")
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader,tcp
for ((r = 0; r < rounds; r++)); do
  "${java_cmd[@]}" -Dsemaim.threads=2 dev.semaim.bench.DataParallelBench "$config" "$batch" "${steps[@]}" 2>/dev/null | grep RESULT
  mpirun --oversubscribe --bind-to none -np 2 "${java_cmd[@]}" -Dsemaim.threads=1 -XX:ParallelGCThreads=1 \
    dev.semaim.bench.DataParallelBench "$config" "$batch" "${steps[@]}" 2>/dev/null | grep RESULT
done
