#!/usr/bin/env bash
# Compiles cuda/src/main/cuda/*.cu to the PTX resources the CUDA backend loads (cuModuleLoadData).
# compute_80 PTX runs on Ampere and newer (the driver JIT-compiles it for the GPU at hand).
# Run after editing a kernel and commit the .ptx with the .cu; PtxUpToDateTest checks they match.
set -euo pipefail
cd "$(dirname "$0")/../.."
src=cuda/src/main/cuda
dst=cuda/src/main/resources/dev/semaim/cuda
mkdir -p "$dst"
for cu in "$src"/*.cu; do
    name=$(basename "$cu" .cu)
    (cd "$src" && nvcc --ptx -arch=compute_80 -O3 "$name.cu" -o - ) > "$dst/$name.ptx"
    echo "$dst/$name.ptx"
done
