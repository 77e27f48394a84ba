#!/usr/bin/env python3
"""PyTorch baseline for BENCHMARKS.md: images/s of one aim_base pre-training step on a GPU.

One step = model(x) (order pass, priority, masked two-stream forward, norm-pix L2 loss, as
semaim_ref.AimViT.forward does) + backward + AdamW step (spec 6 decay groups), the same work as the
Java dev.semaim.tests.gpu.AimStepBenchmark. Modes: fp32 (TF32 off), tf32, amp-bf16 (autocast).
Usage: python3 scripts/torch/bench_gpu.py [--batch 64] [--img 224] [--steps 10] [--json out.json]
"""
import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402
import semaim_ref as R  # noqa: E402


def bench(mode, batch, img, steps):
    torch.backends.cuda.matmul.allow_tf32 = mode == 'tf32'
    torch.backends.cudnn.allow_tf32 = mode == 'tf32'
    torch.manual_seed(0)
    model = R.aim_base(img_size=img).cuda()
    opt = torch.optim.AdamW(R.param_groups(model, 0.05), lr=1.5e-4, betas=(0.9, 0.95))
    x = torch.randn(batch, 3, img, img, device='cuda')
    times = []
    for s in range(-3, steps):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        with torch.autocast('cuda', dtype=torch.bfloat16, enabled=mode == 'amp-bf16'):
            loss = model(x)[0]
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        loss_value = loss.item()
        torch.cuda.synchronize()
        dt = time.perf_counter() - t0
        print(f'{mode} step {s}: loss {loss_value:.5f}, {dt:.4f} s, {batch / dt:.1f} images/s', flush=True)
        if s >= 0:
            times.append(dt)
    med = statistics.median(times)
    peak = torch.cuda.max_memory_allocated() / 2**30
    del model, opt, x, loss
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    return {'mode': mode, 'batch': batch, 'img': img, 'median_step_s': med, 'images_per_s': batch / med, 'peak_mem_gib': peak}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--img', type=int, default=224)
    ap.add_argument('--steps', type=int, default=10)
    ap.add_argument('--json')
    a = ap.parse_args()
    info = {'torch': torch.__version__, 'device': torch.cuda.get_device_name(0), 'results': []}
    for mode in ('fp32', 'tf32', 'amp-bf16'):
        r = bench(mode, a.batch, a.img, a.steps)
        info['results'].append(r)
        print('RESULT ' + json.dumps(r), flush=True)
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(info, f, indent=1)


if __name__ == '__main__':
    main()
