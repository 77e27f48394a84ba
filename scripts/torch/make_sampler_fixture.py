#!/usr/bin/python3
"""Write PyTorch's DistributedSampler indices for dev.semaim.data.DistributedSamplerTest.

Usage (from the repo root):  /usr/bin/python3 scripts/torch/make_sampler_fixture.py [out_file]
Default out_file: semaim/src/test/resources/dev/semaim/data/distributed_sampler.txt. Needs Debian's python3-torch
(1.13). One case per line: "n world rank shuffle seed epoch drop_last : i0 i1 ...", the indices of
DistributedSampler(range(n), num_replicas=world, rank=rank, shuffle=shuffle, seed=seed, drop_last=drop_last) after
set_epoch(epoch); the cases cover padding (n not a multiple of world, n < world), drop-last, no shuffle, and a seed
and epoch that are not small.
"""
import os
import sys

import torch
from torch.utils.data import DistributedSampler

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'semaim/src/test/resources/dev/semaim/data/distributed_sampler.txt')

CASES = [  # n, world, seed, epoch, shuffle, drop_last
    (10, 1, 0, 0, True, False),
    (16, 2, 0, 0, True, False),
    (17, 2, 0, 3, True, False),
    (17, 2, 0, 3, True, True),
    (100, 4, 7, 1, True, False),
    (101, 3, 1234567, 42, True, True),
    (3, 4, 0, 0, True, False),
    (11, 4, 0, 0, False, False),
    (1000, 8, 2**31 + 5, 7, True, False),
]

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, 'w') as f:
    f.write('# torch %s: n world rank shuffle seed epoch drop_last : indices\n' % torch.__version__)
    for n, world, seed, epoch, shuffle, drop_last in CASES:
        for rank in range(world):
            s = DistributedSampler(range(n), num_replicas=world, rank=rank, shuffle=shuffle, seed=seed, drop_last=drop_last)
            s.set_epoch(epoch)
            f.write('%d %d %d %d %d %d %d : %s\n' % (n, world, rank, int(shuffle), seed, epoch, int(drop_last),
                                                      ' '.join(str(i) for i in s)))
print('wrote', OUT)
