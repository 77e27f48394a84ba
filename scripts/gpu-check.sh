#!/usr/bin/env bash
# Prepares dist/gpu-check/, a self-contained folder that runs the GPU checks on a machine with an NVIDIA
# GPU and driver but no Java: a jlink-ed Java 17 runtime, the project jars, JCuda (driver API natives
# only), JNA (for cuBLAS, found on the host: in PyTorch's nvidia wheels there), the JUnit console launcher with the
# GPU test classes, and run.sh (from scripts/gpu/run.sh). Builds with `mvn package` (the jars stay in */target;
# nothing is installed into ~/.m2).
#   scripts/gpu-check.sh            build here (needs the JDK 17 with jmods, Maven); GPU_CHECK_NO_BUILD=1
#                                   packages what */target already holds (when another module is mid-edit)
#   bash dist/gpu-check/run.sh      there: nvidia-smi, GPU op tests, GEMM and aim_base step benchmarks,
#                                   the PyTorch baseline (scripts/torch/bench_gpu.py); results go to $OUT
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
dist=dist/gpu-check
version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' pom.xml | head -1)
jcuda=$(sed -n 's:.*<jcuda.version>\(.*\)</jcuda.version>.*:\1:p' pom.xml)
jna=$(sed -n 's:.*<jna.version>\(.*\)</jna.version>.*:\1:p' pom.xml)
junit_platform=1.14.1
m2="${M2_REPO:-$HOME/.m2/repository}"

if [[ "${GPU_CHECK_NO_BUILD:-0}" == 1 ]]; then
  echo "gpu-check: GPU_CHECK_NO_BUILD=1: packaging the jars and test classes already in */target"
else
  echo "gpu-check: building the modules and test classes"
  mvn -q -B -o package -DskipTests -pl bench,tests -am
fi

rm -rf "$dist/lib" "$dist/test-classes"
mkdir -p "$dist/lib" "$dist/test-classes" "$dist/syslib"
for m in tensor autograd nn semaim cuda bench; do cp "$m/target/$m-$version.jar" "$dist/lib/"; done
cp "$m2/org/jcuda/jcuda/$jcuda/jcuda-$jcuda.jar" "$dist/lib/"
cp "$m2/net/java/dev/jna/jna/$jna/jna-$jna.jar" "$dist/lib/"   # cuBLAS's binding (Cublas)
# the natives jar without the 24 MB PTX-compiler and NVRTC libraries: the backend uses the driver API only
natives="$m2/org/jcuda/jcuda-natives/$jcuda/jcuda-natives-$jcuda-linux-x86_64.jar"
tmp=$(mktemp -d)
(cd "$tmp" && unzip -q "$natives" "lib/libJCudaDriver-*" "lib/libJCudaRuntime-*" && zip -q -r jcuda-natives-slim.jar lib)
cp "$tmp/jcuda-natives-slim.jar" "$dist/lib/"
rm -rf "$tmp"
launcher="$m2/org/junit/platform/junit-platform-console-standalone/$junit_platform/junit-platform-console-standalone-$junit_platform.jar"
[[ -f "$launcher" ]] || mvn -q -B dependency:get -Dartifact="org.junit.platform:junit-platform-console-standalone:$junit_platform"
cp "$launcher" "$dist/lib/junit-platform-console-standalone.jar"
cp -r cuda/target/test-classes/. "$dist/test-classes/"
mkdir -p "$dist/test-classes/dev/semaim/tests"
cp -r tests/target/test-classes/dev/semaim/tests/gpu "$dist/test-classes/dev/semaim/tests/"
# zlib for the runtime's libzip, used only if the target lacks it
cp -L "$(ldconfig -p | awk '/libz.so.1 .*x86-64/ {print $NF; exit}')" "$dist/syslib/libz.so.1"

if [[ ! -x "$dist/jre/bin/java" ]]; then
  echo "gpu-check: jlink-ing a Java runtime"
  jlink --add-modules java.base,java.logging,java.xml,java.sql,jdk.zipfs,jdk.incubator.vector,jdk.unsupported \
    --strip-debug --no-header-files --no-man-pages --compress=2 --output "$dist/jre"
fi
cp scripts/gpu/run.sh "$dist/run.sh"
chmod +x "$dist/run.sh"
size=$(du -sm "$dist" | cut -f1)
echo "gpu-check: $dist is $size MiB"
(( size < 60 )) || { echo "gpu-check: $dist exceeds 60 MiB; the device tool carries at most 64 MiB with the repository" >&2; exit 1; }
