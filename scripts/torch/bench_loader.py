"""torchvision half of scripts/bench-loader.sh: ImageFolder + DataLoader with the pre-training transform
(RandomResizedCrop(size, scale (0.2, 1), bicubic), RandomHorizontalFlip, ToTensor, Normalize with the ImageNet
statistics), shuffled, as dev.semaim.bench.LoaderBenchmark measures ours; same RESULT line.

Per epoch: wall seconds, images/s and CPU-seconds per image of the main process and its workers (the workers are
reaped at each epoch's end, so RUSAGE_CHILDREN holds them). Then the time split of --split samples built one by
one in this process with one torch thread (as in a worker): read (the file's bytes), decode (PIL open +
convert("RGB"), torchvision's pil_loader), each transform step by name, collate (default_collate of a batch), in
CPU-milliseconds of this thread per image (CPU time, so that other processes on a shared machine inflate it less).

Needs Debian's python3-torchvision (apt-get install -y python3-torchvision: torchvision 0.14.1, PIL 9.4). Run with
/usr/bin/python3. Usage: bench_loader.py ROOT [--workers 1] [--batch 64] [--epochs 5] [--split 128] [--size 224]
"""
import argparse
import io
import json
import os
import resource
import time

import torch
import torchvision
from PIL import Image
from torch.utils.data import DataLoader
from torch.utils.data._utils.collate import default_collate
from torchvision import datasets, transforms as T


def cpu_seconds():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def main():
    p = argparse.ArgumentParser()
    p.add_argument("root")
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--split", type=int, default=128)
    p.add_argument("--size", type=int, default=224)
    a = p.parse_args()
    torch.manual_seed(0)
    steps = [T.RandomResizedCrop(a.size, scale=(0.2, 1.0), interpolation=T.InterpolationMode.BICUBIC),
             T.RandomHorizontalFlip(), T.ToTensor(),
             T.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])]
    ds = datasets.ImageFolder(a.root, transform=T.Compose(steps))
    loader = DataLoader(ds, batch_size=a.batch, shuffle=True, num_workers=a.workers)
    ips, cpi = [], []
    for e in range(a.epochs):
        c0, t0 = cpu_seconds(), time.perf_counter()
        n, checksum = 0, 0.0
        for x, y in loader:
            n += x.shape[0]
            checksum += float(x[0, 0, 0, 0])
        s, cpu = time.perf_counter() - t0, cpu_seconds() - c0
        ips.append(n / s)
        cpi.append(cpu / n)
        print(f"torchvision epoch {e}: {n} images in {s:.3f} s, {n / s:.1f} images/s, "
              f"{1e3 * cpu / n:.2f} CPU-ms per image (checksum {checksum:.3f})", flush=True)
    torch.set_num_threads(1)
    names = ["read", "decode"] + [type(t).__name__ for t in steps] + ["collate"]
    acc = dict.fromkeys(names, 0.0)
    n = min(a.split, len(ds))
    pending = []
    for i in range(n):
        path = ds.samples[i][0]
        t0 = time.thread_time()
        with open(path, "rb") as f:
            data = f.read()
        t1 = time.thread_time()
        img = Image.open(io.BytesIO(data)).convert("RGB")
        t2 = time.thread_time()
        acc["read"] += t1 - t0
        acc["decode"] += t2 - t1
        for t in steps:
            s0 = time.thread_time()
            img = t(img)
            acc[type(t).__name__] += time.thread_time() - s0
        pending.append((img, 0))
        if len(pending) == a.batch or i == n - 1:
            c0 = time.thread_time()
            default_collate(pending)
            acc["collate"] += time.thread_time() - c0
            pending = []
    split = {k: 1e3 * v / n for k, v in acc.items()}
    print("torchvision split, CPU-ms per image: " + ", ".join(f"{k} {v:.3f}" for k, v in split.items()))
    print("RESULT " + json.dumps({"side": "torchvision", "workers": a.workers, "batch": a.batch, "size": a.size,
                                  "images": len(ds), "images_per_s": ips, "cpu_s_per_image": cpi, "split_ms": split,
                                  "cpus": os.cpu_count(), "torch": torch.__version__,
                                  "torchvision": torchvision.__version__, "pil": Image.__version__}), flush=True)


if __name__ == "__main__":
    main()
