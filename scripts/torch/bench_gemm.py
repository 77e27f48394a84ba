#!/usr/bin/env python3
"""PyTorch baseline for the GEMM rows of BENCHMARKS.md: GFLOP/s of the matrix products of an aim_base step at
batch 64 (tokens 64 x 197), the same cases, layouts and timing (median of 10 after 2 warm-ups) as the Java
dev.semaim.bench.CudaGemmBenchmark: FP32 (TF32 off), TF32, and bf16 (what autocast runs).
Usage: python3 scripts/torch/bench_gemm.py
"""
import statistics
import time

import torch

T = 64 * 197
# (name, batch, M, K, N, a transposed, b transposed)
CASES = [('qkv x.Wt', 1, T, 768, 2304, 0, 1), ('scores q.kt', 768, 197, 64, 197, 0, 1), ('fc1 x.Wt', 1, T, 768, 3072, 0, 1),
         ('fc2 x.Wt', 1, T, 3072, 768, 0, 1), ('dW gt.x', 1, 768, T, 3072, 1, 0)]


def operand(batch, rows, cols, transposed, dtype):
    t = torch.randn(batch, cols, rows, device='cuda', dtype=dtype) if transposed else torch.randn(batch, rows, cols, device='cuda', dtype=dtype)
    return t.transpose(1, 2) if transposed else t


def main():
    print('device', torch.cuda.get_device_name(), 'torch', torch.__version__, 'cuBLAS', torch.backends.cuda.preferred_blas_library()
          if hasattr(torch.backends.cuda, 'preferred_blas_library') else '')
    for mode, dtype in (('FP32', torch.float32), ('TF32', torch.float32), ('BF16', torch.bfloat16)):
        torch.backends.cuda.matmul.allow_tf32 = mode == 'TF32'
        for name, b, m, k, n, ta, tb in CASES:
            a, w = operand(b, m, k, ta, dtype), operand(b, k, n, tb, dtype)
            out = torch.empty(b, m, n, device='cuda', dtype=dtype)
            s = []
            for i in range(-2, 10):
                torch.cuda.synchronize()
                t0 = time.perf_counter()
                torch.matmul(a, w, out=out)
                torch.cuda.synchronize()
                if i >= 0:
                    s.append(time.perf_counter() - t0)
            med = statistics.median(s)
            print(f'RESULT torch gemm {mode} {name:<12} batch {b:4d} M {m:5d} K {k:5d} N {n:5d}: {med * 1e3:.3f} ms, '
                  f'{2.0 * b * m * n * k / med / 1e9:.0f} GFLOP/s', flush=True)


if __name__ == '__main__':
    main()
