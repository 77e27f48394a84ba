#!/usr/bin/python3
"""PyTorch side of `semaim convert` (issue 19, items 1 and 2), written from docs/SEMAIM-SPEC.md section 10.

Two modes, from the repo root, with Debian's python3-torch 1.13 (/usr/bin/python3):

  /usr/bin/python3 scripts/torch/interop.py fixtures [out_dir]
      Writes the small fixtures the Java tests read (default out_dir semaim/src/test/resources/dev/semaim/io):
        dtypes.pth       OrderedDict of the storage types beyond float32 (values below, in DTYPE_VALUES):
                         half (3,) f16, half_t (3, 2) f16 = a transposed (non-contiguous) view,
                         bf16 (2,), flag (4,) bool, i8 (3,) int8, u8 (3,) uint8, i16 (2,) int16
        legacy.pth       {'w': float32 (2,)} saved in the pre-1.6 format (_use_new_zipfile_serialization=False)
        aim_tiny_ddp.pth an official-style SemAIM pre-training checkpoint of a tiny AimViT (semaim_ref.AimViT
                         img 16, patch 4, 3 channels, width 16, depth 2, 2 heads, query depth 2, MLP head, blur):
                         {'epoch': 1, 'state_dict': {'module.' + key: ...}, 'optimizer': {...}, 'model': 'aim_tiny'}
        timm_tiny_keys.txt      "name dtype shape" of the timm-like ViT below (same sizes, num_classes=0,
                                token pooling: final `norm`), the state dict `convert --to timm` must produce
        timm_avg_tiny_keys.txt  the same for global average pooling (`fc_norm`, as models_vit --global_pool and
                                timm global_pool='avg' hold it)

  /usr/bin/python3 scripts/torch/interop.py check DIR
      Loads what `semaim convert` wrote into DIR (see scripts/torch/README.md for the commands) with PyTorch:
      timm.pth / timm_avg.pth / timm_st.pth strictly into the timm-like ViT (token / avg pooling) and checks the
      weights equal the source's; dtypes_back.pth (dtypes.pth -> safetensors -> .pth) tensor by tensor, dtype
      included; dtypes.safetensors's header dtypes.

TimmViT is a minimal module with the module tree of timm's VisionTransformer (0.4.5 to 0.9) and MAE's models_vit
(cls_token, pos_embed (1, 1 + N, D), patch_embed.proj, blocks.i.{norm1, attn.qkv, attn.proj, norm2, mlp.fc1,
mlp.fc2}, norm or fc_norm, head); only the names and shapes matter for strict loading. timm itself is not
installable here.
"""
import collections
import json
import os
import struct
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import semaim_ref as R  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, 'semaim/src/test/resources/dev/semaim/io')
TINY = dict(img_size=16, patch_size=4, in_chans=3, embed_dim=16, depth=2, num_heads=2, query_depth=2)
ST_DTYPES = {torch.float32: 'F32', torch.float64: 'F64', torch.float16: 'F16', torch.bfloat16: 'BF16',
             torch.int64: 'I64', torch.int32: 'I32', torch.int16: 'I16', torch.int8: 'I8', torch.uint8: 'U8',
             torch.bool: 'BOOL'}


class TimmBlock(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = nn.Module()
        self.attn.qkv = nn.Linear(dim, 3 * dim)
        self.attn.proj = nn.Linear(dim, dim)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = nn.Module()
        self.mlp.fc1 = nn.Linear(dim, 4 * dim)
        self.mlp.fc2 = nn.Linear(4 * dim, dim)


class TimmViT(nn.Module):
    """timm VisionTransformer's parameter tree; global_pool='avg' swaps `norm` for `fc_norm` (timm >= 0.6, models_vit)."""

    def __init__(self, img_size, patch_size, in_chans, embed_dim, depth, num_heads, num_classes=0, global_pool='token'):
        super().__init__()
        n = (img_size // patch_size) ** 2
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, n + 1, embed_dim))
        self.patch_embed = nn.Module()
        self.patch_embed.proj = nn.Conv2d(in_chans, embed_dim, patch_size, patch_size)
        self.blocks = nn.ModuleList([TimmBlock(embed_dim, num_heads) for _ in range(depth)])
        if global_pool == 'avg':
            self.fc_norm = nn.LayerNorm(embed_dim, eps=1e-6)
        else:
            self.norm = nn.LayerNorm(embed_dim, eps=1e-6)
        self.head = nn.Linear(embed_dim, num_classes) if num_classes > 0 else nn.Identity()


def tiny_timm(global_pool='token'):
    return TimmViT(TINY['img_size'], TINY['patch_size'], TINY['in_chans'], TINY['embed_dim'], TINY['depth'],
                   TINY['num_heads'], global_pool=global_pool)


def dtype_tensors():
    sd = collections.OrderedDict()
    sd['half'] = torch.tensor([0.5, -1.0, 65504.0], dtype=torch.float16)
    sd['half_t'] = torch.arange(6, dtype=torch.float16).view(2, 3).t()
    sd['bf16'] = torch.tensor([1.5, -3.0], dtype=torch.bfloat16)
    sd['flag'] = torch.tensor([True, False, False, True])
    sd['i8'] = torch.tensor([-128, 0, 127], dtype=torch.int8)
    sd['u8'] = torch.tensor([0, 200, 255], dtype=torch.uint8)
    sd['i16'] = torch.tensor([-32768, 32767], dtype=torch.int16)
    assert not sd['half_t'].is_contiguous()
    return sd


def tiny_checkpoint():
    torch.manual_seed(0)
    model = R.AimViT(**TINY)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.1)  # distinct values everywhere (LayerNorm 1/0, zero biases otherwise)
    sd = collections.OrderedDict(('module.' + k, v) for k, v in model.state_dict().items())
    opt = {'state': {0: {'step': torch.tensor(3.0), 'exp_avg': torch.zeros(1, 1, 16)}},
           'param_groups': [{'lr': 1e-3, 'betas': (0.9, 0.95), 'params': [0]}]}
    return {'epoch': 1, 'state_dict': sd, 'optimizer': opt, 'model': 'aim_tiny'}


def keys_text(model):
    return ''.join('%s %s %s\n' % (k, ST_DTYPES[v.dtype], ','.join(map(str, v.shape)))
                   for k, v in model.state_dict().items())


def fixtures(out):
    os.makedirs(out, exist_ok=True)
    torch.save(dtype_tensors(), os.path.join(out, 'dtypes.pth'))
    torch.save({'w': torch.tensor([1.0, 2.0])}, os.path.join(out, 'legacy.pth'), _use_new_zipfile_serialization=False)
    torch.save(tiny_checkpoint(), os.path.join(out, 'aim_tiny_ddp.pth'))
    for name, pool in (('timm_tiny_keys.txt', 'token'), ('timm_avg_tiny_keys.txt', 'avg')):
        with open(os.path.join(out, name), 'w') as f:
            f.write(keys_text(tiny_timm(pool)))
    print('wrote', out)


def safetensors_header(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        return json.loads(f.read(n))


def check(d):
    ok = True
    source = {k[len('module.'):]: v for k, v in tiny_checkpoint()['state_dict'].items()}
    for name, pool in (('timm.pth', 'token'), ('timm_avg.pth', 'avg'), ('timm_st.pth', 'token')):
        path = os.path.join(d, name)
        if not os.path.exists(path):
            print('skip', name, '(not written)')
            continue
        ckpt = torch.load(path)
        sd = ckpt['model'] if 'model' in ckpt and isinstance(ckpt['model'], dict) else ckpt
        model = tiny_timm(pool)
        result = model.load_state_dict(sd, strict=True)  # raises on any missing or unexpected key
        for k, v in model.state_dict().items():
            src = source['norm' + k[len('fc_norm'):] if k.startswith('fc_norm') else k]
            if not torch.equal(v, src):
                print('FAIL', name, k, 'differs from the source checkpoint')
                ok = False
        print('%s: load_state_dict(strict=True) -> %s; %d tensors equal the source' % (name, result, len(sd)))
    path = os.path.join(d, 'dtypes_back.pth')
    if os.path.exists(path):
        back = torch.load(path)
        for k, v in dtype_tensors().items():
            same = back[k].dtype == v.dtype and back[k].shape == v.shape and torch.equal(back[k], v)
            print('dtypes_back.pth %-6s %-14s %s' % (k, str(back[k].dtype), 'ok' if same else 'FAIL'))
            ok &= same
    path = os.path.join(d, 'dtypes.safetensors')
    if os.path.exists(path):
        header = safetensors_header(path)
        for k, v in dtype_tensors().items():
            same = header[k]['dtype'] == ST_DTYPES[v.dtype] and header[k]['shape'] == list(v.shape)
            print('dtypes.safetensors %-6s %-5s %s' % (k, header[k]['dtype'], 'ok' if same else 'FAIL'))
            ok &= same
    print('ALL OK' if ok else 'FAILED')
    return 0 if ok else 1


if __name__ == '__main__':
    if len(sys.argv) >= 2 and sys.argv[1] == 'fixtures':
        fixtures(sys.argv[2] if len(sys.argv) > 2 else FIXTURES)
    elif len(sys.argv) == 3 and sys.argv[1] == 'check':
        sys.exit(check(sys.argv[2]))
    else:
        print(__doc__)
        sys.exit(2)
