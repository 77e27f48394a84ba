#!/usr/bin/python3
"""PyTorch half of scripts/bench-cpu.sh: the CpuBench configurations on the CPU, same RESULT line.

Configurations (float32, fixed seed, random inputs), as dev.semaim.bench.CpuBench:
  vit-t1  ViT classifier 28x28x1, patch 4, width 192, depth 12, 3 heads, 10 classes, global pool, batch 128
  aim-t1  semaim_ref.AimViT of the same encoder, query depth 12, MLP head, Gaussian blur, norm-pix L2,
          attention_center order pass included, batch 128
  vit-s   ViT-S/16 on 224x224x3, 1000 classes, batch 16
train = forward + loss + backward + AdamW step (spec 6 decay groups); infer = the no-grad forward
(aim-t1: order pass + forward + loss). --profile adds one step under torch.autograd.profiler and prints
its self CPU time per op class (gemm, attention, norm, elementwise, optimizer, other).
Usage: /usr/bin/python3 scripts/torch/bench_cpu.py <config> <train|infer> [--batch B] [--warmup 2]
       [--timed 5] [--patch P] [--threads 2] [--profile]
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import semaim_ref as R  # noqa: E402

# aten op name -> class, for the --profile split (self CPU time of each op)
GEMM = {'aten::addmm', 'aten::mm', 'aten::linear', 'aten::convolution_backward', 'aten::_convolution',
        'aten::mkldnn_convolution', 'aten::thnn_conv2d'}
ATTENTION = {'aten::bmm', 'aten::_softmax', 'aten::_softmax_backward_data', 'aten::matmul'}
NORM = {'aten::native_layer_norm', 'aten::native_layer_norm_backward'}
OPTIMIZER = {'aten::_foreach_mul_', 'aten::_foreach_add_', 'aten::_foreach_addcmul_', 'aten::_foreach_addcdiv_',
             'aten::_foreach_sqrt', 'aten::_foreach_div_', 'aten::_foreach_mul', 'aten::_foreach_div',
             'aten::_foreach_add', 'aten::_foreach_sqrt_', 'aten::lerp_', 'aten::addcmul_', 'aten::addcdiv_'}


def build(config, patch, train):
    small = config != 'vit-s'
    img, chans, classes = (28, 1, 10) if small else (224, 3, 1000)
    torch.manual_seed(0)
    if config in ('vit-t1', 'vit-s'):
        dim, heads = (192, 3) if small else (384, 6)
        model = R.VisionTransformer(img, patch, chans, dim, 12, heads, 4.0, classes, True)
        opt = torch.optim.AdamW(R.param_groups(model, 0.05), lr=1e-4, betas=(0.9, 0.999), eps=1e-8)

        def loss_of(x, y):
            return F.cross_entropy(model(x), y)
    elif config == 'aim-t1':
        model = R.AimViT(img, patch, chans, 192, 12, 3, 4.0, query_depth=12, permutation_type='attention_center',
                         prediction_head_type='MLP', gaussian_kernel_size=9, gaussian_sigma=1, loss_type='L2',
                         norm_pix_loss=True)
        opt = torch.optim.AdamW(R.param_groups(model, 0.05), lr=1.5e-4, betas=(0.9, 0.95), eps=1e-8)

        def loss_of(x, y):
            return model(x)[0]
    else:
        raise SystemExit(f"bench_cpu: unknown configuration '{config}' (vit-t1, aim-t1, vit-s)")
    if train:
        def step(x, y):
            loss_of(x, y).backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
    else:
        def step(x, y):
            with torch.no_grad():
                loss_of(x, y)
    return model, step, img, chans, classes


def op_class(name):
    if name in GEMM:
        return 'gemm'
    if name in ATTENTION:
        return 'attention'
    if name in NORM:
        return 'norm'
    if name in OPTIMIZER or name.startswith('Optimizer.'):
        return 'optimizer'
    return 'elementwise'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('config')
    ap.add_argument('mode', choices=('train', 'infer'))
    ap.add_argument('--batch', type=int)
    ap.add_argument('--warmup', type=int, default=2)
    ap.add_argument('--timed', type=int, default=5)
    ap.add_argument('--patch', type=int)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--profile', action='store_true')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    small = a.config != 'vit-s'
    batch = a.batch or (128 if small else 16)
    patch = a.patch or (4 if small else 16)
    model, step, img, chans, classes = build(a.config, patch, a.mode == 'train')
    n_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    print(f'torch {a.config} {a.mode}: batch {batch}, {img}x{img}x{chans} patch {patch}, {n_params:,} parameters, '
          f'{a.warmup} warm-up + {a.timed} timed steps, torch {torch.__version__}, {torch.get_num_threads()} threads, '
          f'{torch.__config__.parallel_info().splitlines()[-1].strip()}', flush=True)
    gen = torch.Generator().manual_seed(1)
    times, cpu_s, data_s = [], [], []
    for i in range(a.warmup + a.timed):
        d0 = time.perf_counter()
        x = torch.randn(batch, chans, img, img, generator=gen)
        y = torch.randint(0, classes, (batch,), generator=gen)
        d1, c1 = time.perf_counter(), time.process_time()
        step(x, y)
        dt, dc = time.perf_counter() - d1, time.process_time() - c1
        print(f'step {i}{" (warm-up)" if i < a.warmup else ""}: {dt:.3f} s, {batch / dt:.1f} images/s, {dc:.3f} CPU-s', flush=True)
        if i >= a.warmup:
            times.append(dt)
            cpu_s.append(dc)
            data_s.append(d1 - d0)
    med = statistics.median(times)
    r = {'side': 'torch', 'config': a.config, 'mode': a.mode, 'batch': batch, 'patch': patch,
         'median_step_s': round(med, 4), 'images_per_s': round(batch / med, 2), 'steps_s': sorted(times), 'median_cpu_s': round(statistics.median(cpu_s), 4),
         'peak_rss_mib': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
    if a.profile:
        x = torch.randn(batch, chans, img, img, generator=gen)
        y = torch.randint(0, classes, (batch,), generator=gen)
        with torch.autograd.profiler.profile() as prof:
            t0 = time.perf_counter()
            step(x, y)
            total = time.perf_counter() - t0
        split = {}
        for e in prof.key_averages():
            c = op_class(e.key)
            split[c] = split.get(c, 0.0) + e.self_cpu_time_total / 1e6
        split['framework'] = total - sum(split.values())
        split['data'] = statistics.median(data_s)
        r['profiled_step_s'] = round(total, 4)
        r['split_s'] = {k: round(v, 4) for k, v in split.items()}
    print('RESULT ' + json.dumps(r), flush=True)


if __name__ == '__main__':
    main()
