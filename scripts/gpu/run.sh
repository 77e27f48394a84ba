#!/usr/bin/env bash
# Runs on the GPU machine from the repository root (copied into dist/gpu-check/ by scripts/gpu-check.sh):
# nvidia-smi, the GPU op tests (cuda module + the tiny AimViT GPU-vs-CPU step), the GEMM benchmark (cuBLAS and our
# kernels) beside PyTorch's on the same shapes, the masked attention unfused vs fused, the aim_base pre-training step
# benchmark (batch 64, 224x224, FP32 with and without releasing activations and gradients during the step, with our
# GEMM kernels instead of cuBLAS, with the fused attention, TF32, and bf16 and fp16 autocast), a per-phase kernel
# profile of one step, and the PyTorch baseline. Each part has its own time limit; together they exceed one 10-minute
# device command, so run the parts in two calls (see the part names below). Results and logs go to $OUT (or ./gpu-out).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${OUT:-$root/gpu-out}"
mkdir -p "$out"
log="$out/gpu-check.log"
exec > >(tee -a "$log") 2>&1
ldconfig -p | grep -q 'libz.so.1 ' || export LD_LIBRARY_PATH="$here/syslib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
java="$here/jre/bin/java"
cp="$here/test-classes"
for j in "$here"/lib/*.jar; do [[ $j == *junit-platform-console* ]] || cp="$cp:$j"; done
flags=(--add-modules jdk.incubator.vector -XX:+UseParallelGC -Xss8m -Xmx24g)
# cuBLAS: the lent CUDA 13 hosts carry libcublas.so.13 only inside PyTorch's nvidia wheels (nvidia/cu13/lib; CUDA 12's
# wheel: nvidia/cublas/lib), in a site-packages Java may not guess: ask Python where its site-packages are
cublas_lib=$(python3 - 2>/dev/null <<'PY' || true
import os, site
for s in site.getsitepackages() + [site.getusersitepackages()]:
    for sub in ('nvidia/cu13/lib', 'nvidia/cublas/lib'):
        d = os.path.join(s, sub)
        if any(os.path.exists(os.path.join(d, 'libcublasLt.so.' + v)) for v in ('13', '12')):
            print(d)
            raise SystemExit
PY
)
[[ -n $cublas_lib ]] && flags+=(-Dsemaim.cublas.path="$cublas_lib")
echo "cuBLAS folder from PyTorch: ${cublas_lib:-none}"
section() { echo; echo "=== $1 ($(date -u +%H:%M:%S))"; }

section "nvidia-smi"
nvidia-smi | tee "$out/nvidia-smi.txt"
"$java" -version

section "GPU op tests (JUnit, semaim.cuda.sync=true)"
timeout 100 "$java" "${flags[@]}" -Dsemaim.cuda.sync=true -jar "$here/lib/junit-platform-console-standalone.jar" execute \
  --class-path "$cp" --select-package dev.semaim.cuda --select-class dev.semaim.tests.gpu.GpuPretrainStepTest \
  --details=tree --disable-banner --disable-ansi-colors --reports-dir "$out/junit"
echo "tests exit code $?"

section "GEMM benchmark (cuBLAS, then our kernels)"
timeout 45 "$java" "${flags[@]}" -cp "$cp" dev.semaim.bench.CudaGemmBenchmark
echo "gemm exit code $?"

section "PyTorch GEMM on the same shapes (scripts/torch/bench_gemm.py)"
timeout 45 python3 "$root/scripts/torch/bench_gemm.py"
echo "torch gemm exit code $?"

section "masked attention of one aim_base block: unfused vs fused (CudaAttentionBenchmark)"
timeout 60 "$java" "${flags[@]}" -cp "$cp" dev.semaim.bench.CudaAttentionBenchmark
echo "attention exit code $?"

section "aim_base pre-training step, batch 64, 224x224, FP32 (ours)"
timeout 110 "$java" "${flags[@]}" -cp "$cp" dev.semaim.tests.gpu.AimStepBenchmark cuda aim_base 64 224 3
echo "aim step FP32 exit code $?"

section "aim_base pre-training step, batch 64, 224x224, FP32, activations and gradients left to the collector (ours)"
timeout 110 "$java" "${flags[@]}" -Dbench.release=false -cp "$cp" dev.semaim.tests.gpu.AimStepBenchmark cuda aim_base 64 224 3
echo "aim step FP32 without release exit code $?"

section "aim_base pre-training step, batch 64, 224x224, FP32, our GEMM kernels (-Dsemaim.cuda.cublas=false)"
timeout 110 "$java" "${flags[@]}" -Dsemaim.cuda.cublas=false -cp "$cp" dev.semaim.tests.gpu.AimStepBenchmark cuda aim_base 64 224 3
echo "aim step FP32 own kernels exit code $?"

section "aim_base pre-training step, batch 64, 224x224, FP32, fused masked attention (-Dsemaim.attention.fused=true)"
timeout 110 "$java" "${flags[@]}" -Dsemaim.attention.fused=true -cp "$cp" dev.semaim.tests.gpu.AimStepBenchmark cuda aim_base 64 224 3
echo "aim step FP32 fused attention exit code $?"

section "aim_base pre-training step, batch 64, 224x224, TF32 matmuls (ours)"
timeout 70 "$java" "${flags[@]}" -Dsemaim.cuda.tf32=true -cp "$cp" dev.semaim.tests.gpu.AimStepBenchmark cuda aim_base 64 224 3
echo "aim step TF32 exit code $?"

section "aim_base pre-training step, batch 64, 224x224, bf16 autocast (ours; products through float32 copies until cuBLAS)"
timeout 80 "$java" "${flags[@]}" -Dbench.amp=bf16 -cp "$cp" dev.semaim.tests.gpu.AimStepBenchmark cuda aim_base 64 224 3
echo "aim step bf16 exit code $?"

section "aim_base pre-training step, batch 64, 224x224, fp16 autocast with loss scaling (ours)"
timeout 80 "$java" "${flags[@]}" -Dbench.amp=fp16 -cp "$cp" dev.semaim.tests.gpu.AimStepBenchmark cuda aim_base 64 224 3
echo "aim step fp16 exit code $?"

section "kernel profile of one FP32 step by phase (-Dsemaim.cuda.profile=true -Dbench.phases=true)"
timeout 60 "$java" "${flags[@]}" -Dsemaim.cuda.profile=true -Dbench.phases=true -cp "$cp" dev.semaim.tests.gpu.AimStepBenchmark cuda aim_base 64 224 1 \
  | awk '/^step -1/ {on = 1} on' | head -80
echo "profile exit code $?"

section "PyTorch baseline (scripts/torch/bench_gpu.py)"
PYTHONUNBUFFERED=1 timeout 90 python3 "$root/scripts/torch/bench_gpu.py" --batch 64 --img 224 --steps 5 --json "$out/bench_gpu.json"
echo "pytorch exit code $?"
section "done"
