#!/usr/bin/python3
"""Write the small torch.save fixtures for dev.semaim.io.TorchCheckpoint's tests.

Usage (from the repo root):  /usr/bin/python3 scripts/torch/make_pth_fixtures.py [out_dir]
Default out_dir: semaim/src/test/resources/dev/semaim/io.  Needs Debian's python3-torch (1.13).

Every tensor value is a deterministic function of arange, so the Java test states the expected values in
closed form (see TorchCheckpointTest). Files:
  state_dict.pth  pre-training layout: {'epoch': 7, 'state_dict': SD, 'optimizer': {...}, 'model': 'aim_tiny'}
                  (the 'model' key is the factory-name string there, spec section 10)
  model.pth       SAIM/MAE layout: {'model': SD, 'epoch': 2}
  plain.pth       SD itself at the top level (an OrderedDict)
  hostile.pth     {'model': SD, 'payload': <object whose __reduce__ is os.system('echo pwned')>}
  mae.pth         MAE/SAIM layout: {'model': SD, 'epoch': 3, 'scaler': {'scale': 65536.0},
                  'args': argparse.Namespace(lr=0.001, model='vit_base_patch16', input_size=224)}
  linear.pth      nn.Linear(3, 2).state_dict() with weight = arange(6).view(2, 3), bias = [0.5, -0.5]; a module's
                  state dict carries the `_metadata` attribute, pickled as a BUILD on the OrderedDict
where SD = OrderedDict(
  'w':          float32 (2, 3) = arange(6)
  'w_t':        float32 (3, 2) = w.t(), a non-contiguous view sharing w's storage
  'row':        float32 (3,)   = w[1], a view with storage offset 3
  'idx':        int64   (4,)   = [-2, 0, 5, 1 << 40]
  'count':      int32   (2, 2) = arange(4)
  'x64':        float64 (2,)   = [0.1, -2.5]
  'scalar':     float32 ()     = 1.5
  'half':       float16 (3,)   = [0.5, -1, 65504]
  'bf16':       bfloat16 (2,)  = [1.5, -3]
  'param':      nn.Parameter float32 (2, 2) = arange(4) / 4 (pickled through _rebuild_parameter)
  'strided':    float32 (2, 2) = arange(12).view(3, 4)[::2, 1::2], non-contiguous with offset 1)
"""
import argparse
import collections
import os
import sys

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'semaim/src/test/resources/dev/semaim/io')


def state_dict():
    w = torch.arange(6, dtype=torch.float32).view(2, 3)
    sd = collections.OrderedDict()
    sd['w'] = w
    sd['w_t'] = w.t()
    sd['row'] = w[1]
    sd['idx'] = torch.tensor([-2, 0, 5, 1 << 40], dtype=torch.int64)
    sd['count'] = torch.arange(4, dtype=torch.int32).view(2, 2)
    sd['x64'] = torch.tensor([0.1, -2.5], dtype=torch.float64)
    sd['scalar'] = torch.tensor(1.5)
    sd['half'] = torch.tensor([0.5, -1.0, 65504.0], dtype=torch.float16)
    sd['bf16'] = torch.tensor([1.5, -3.0], dtype=torch.bfloat16)
    sd['param'] = torch.nn.Parameter(torch.arange(4, dtype=torch.float32).view(2, 2) / 4)
    sd['strided'] = torch.arange(12, dtype=torch.float32).view(3, 4)[::2, 1::2]
    assert not sd['w_t'].is_contiguous() and not sd['strided'].is_contiguous()
    return sd


class Payload:
    """What a malicious checkpoint carries: unpickling it would run a shell command."""

    def __reduce__(self):
        return os.system, ('echo pwned',)


def main():
    os.makedirs(OUT, exist_ok=True)
    sd = state_dict()
    optimizer = {'state': {0: {'step': 3}}, 'param_groups': [{'lr': 0.001, 'betas': (0.9, 0.95), 'params': [0, 1]}]}
    torch.save({'epoch': 7, 'state_dict': sd, 'optimizer': optimizer, 'model': 'aim_tiny'},
               os.path.join(OUT, 'state_dict.pth'))
    torch.save({'model': sd, 'epoch': 2}, os.path.join(OUT, 'model.pth'))
    torch.save(sd, os.path.join(OUT, 'plain.pth'))
    torch.save({'model': sd, 'payload': Payload()}, os.path.join(OUT, 'hostile.pth'))
    args = argparse.Namespace(lr=0.001, model='vit_base_patch16', input_size=224)
    torch.save({'model': sd, 'epoch': 3, 'scaler': {'scale': 65536.0}, 'args': args}, os.path.join(OUT, 'mae.pth'))
    lin = torch.nn.Linear(3, 2)
    with torch.no_grad():
        lin.weight.copy_(torch.arange(6, dtype=torch.float32).view(2, 3))
        lin.bias.copy_(torch.tensor([0.5, -0.5]))
    torch.save(lin.state_dict(), os.path.join(OUT, 'linear.pth'))
    # Sanity: the benign files load back in torch.
    for name in ('state_dict.pth', 'model.pth', 'plain.pth', 'linear.pth', 'mae.pth'):
        torch.load(os.path.join(OUT, name))
    print('wrote', OUT)


if __name__ == '__main__':
    main()
