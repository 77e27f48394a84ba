#!/usr/bin/python3
"""Write the golden safetensors fixtures for the JVM tests and print the spec-13 check values.

Usage (from the repo root):  /usr/bin/python3 scripts/torch/make_golden.py [out_dir]
Default out_dir: tests/src/test/resources/golden.  Needs Debian's python3-torch (1.13) + numpy.
"""
import copy
import json
import os
import re
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import semaim_ref as R  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'tests/src/test/resources/golden')
DTYPES = {torch.float32: ('F32', '<f4'), torch.float64: ('F64', '<f8'), torch.int64: ('I64', '<i8')}

# ------------------------------------------------------------------------------------ safetensors I/O


def save_safetensors(path, tensors, metadata=None):
    """8-byte LE header length, JSON header (names sorted, offsets contiguous), raw LE data."""
    header, blobs, off = {}, [], 0
    if metadata:
        header['__metadata__'] = {k: str(v) for k, v in metadata.items()}
    for name in sorted(tensors):
        t = tensors[name].detach().cpu().contiguous()
        code, np_dt = DTYPES[t.dtype]
        b = t.numpy().astype(np_dt).tobytes()
        header[name] = {'dtype': code, 'shape': list(t.shape), 'data_offsets': [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(',', ':')).encode('utf-8')
    h += b' ' * (-len(h) % 8)  # pad so the data starts 8-byte aligned
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def load_safetensors(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop('__metadata__', {})
    inv = {code: np_dt for code, np_dt in DTYPES.values()}
    out = {k: torch.from_numpy(np.frombuffer(data[v['data_offsets'][0]:v['data_offsets'][1]],
                                             dtype=inv[v['dtype']]).reshape(v['shape']).copy())
           for k, v in header.items()}
    return out, meta


def write(name, tensors, metadata=None):
    path = os.path.join(OUT, name)
    save_safetensors(path, tensors, metadata)
    back, _ = load_safetensors(path)
    assert all(torch.equal(back[k], tensors[k].detach().cpu()) for k in tensors), name
    print(f'wrote {path}: {len(tensors)} tensors, {os.path.getsize(path)} bytes')

# ------------------------------------------------------------------------------------ helpers


def perturb(model, std=0.05):
    """Spec init leaves biases 0 and LayerNorms 1/0; nudge every 1-D param so tests see them."""
    with torch.no_grad():
        for p in model.parameters():
            if p.requires_grad and p.ndim == 1:
                p.add_(std * torch.randn_like(p))


def blocked(mask):
    return torch.isinf(mask).float()  # 1 = blocked (-inf), 0 = allowed


def params(model, prefix):
    return {prefix + k: v.clone() for k, v in model.state_dict().items()}


def grads(model, prefix):
    return {prefix + n: p.grad.clone() for n, p in model.named_parameters() if p.requires_grad}


TINY = dict(img_size=16, patch_size=4, in_chans=3, embed_dim=32, depth=4, num_heads=2, mlp_ratio=4.0,
            query_depth=2, permutation_type='attention_center', attention_type='cls',
            prediction_head_type='MLP', gaussian_kernel_size=5, gaussian_sigma=1, loss_type='L2',
            norm_pix_loss=True)
VAR2 = dict(TINY, permutation_type='stochastic', attention_type='gap', prediction_head_type='LINEAR',
            loss_type='L1', norm_pix_loss=False)
VIT = dict(img_size=16, patch_size=4, in_chans=3, embed_dim=32, depth=2, num_heads=2, mlp_ratio=4.0,
           num_classes=10)

# ------------------------------------------------------------------------------------ spec 13 checks


def spec_checks():
    print('--- spec 13 check values (reference) ---')
    pe = R.sincos_pos_embed(768, 14)[0]
    p01, p10, p35 = pe[1 + 1], pe[1 + 14], pe[1 + 3 * 14 + 5]
    print('pos row0 max|.|', pe[0].abs().max().item())
    print('pos (0,1) d0..2', p01[:3].tolist(), 'd192..194', p01[192:195].tolist(),
          'd384..386', p01[384:387].tolist(), 'd576..578', p01[576:579].tolist())
    print('pos (1,0) d0..2', p10[:3].tolist(), 'd384..386', p10[384:387].tolist())
    print('pos (3,5) d0', p35[0].item(), 'd1', p35[1].item(), 'd383', p35[383].item(), 'd384', p35[384].item(),
          'sum f32', p35.sum().item(), 'sum f64', p35.double().sum().item())
    k = R.gaussian_kernel(9, 1)
    print('gauss centre', k[4, 4].item(), 'K[4,0]', k[4, 0].item(), 'K[0,0]', k[0, 0].item(), 'sum', k.sum().item())
    b = R.GaussianBlur(9, 1)(torch.ones(1, 3, 32, 32))[0, 0]
    print('blur(ones) centre', b[16, 16].item(), 'edge-mid', b[0, 16].item(), 'corner', b[0, 0].item())
    mh, mg = R.build_masks(torch.tensor([[0.3, 0.1, 0.4, 0.2]]))
    ex_h = [[0, 1, 1, 1, 1], [0, 0, 0, 1, 0], [0, 1, 0, 1, 1], [0, 0, 0, 0, 0], [0, 1, 0, 1, 0]]
    ex_g = [[0, 1, 1, 1, 1], [0, 1, 0, 1, 0], [0, 1, 1, 1, 1], [0, 0, 0, 1, 0], [0, 1, 0, 1, 1]]
    print('mask example matches spec 3:', blocked(mh)[0, 0].tolist() == ex_h, blocked(mg)[0, 0].tolist() == ex_g)
    for m in (105, 0, 13, 182, 195):
        print(f'attention_center distance groups, argmax {m}:',
              len(torch.unique(R.center_distance(torch.tensor([m]), 14))))
    A = torch.zeros(1, 196)
    A[0, 105] = 1
    order = R.make_priority('attention_center', 1, 14, torch.rand(1, 196), A)[0].argsort().tolist()
    print('m=105 ranks 0 / 1-4 / 5-8 / 9-12 / 13-20:', order[0], sorted(order[1:5]), sorted(order[5:9]),
          sorted(order[9:13]), sorted(order[13:21]))
    snake = R.make_priority('raster', 1, 14)[0]
    print('snake row 1:', snake[14:28].int().tolist())
    lev = R.box_levels(7, 7)
    print('center2out level counts -3/-2/-1/0:', [int((lev == v).sum()) for v in (-3, -2, -1, 0)])
    t = torch.arange(768.).view(1, 1, 768)
    n = R.norm_pix(t)
    print('norm-pix mean', t.mean().item(), 'var', t.var().item(), 'first', n[0, 0, 0].item(),
          'last', n[0, 0, -1].item(), 'L2 vs 0', (n ** 2).mean().item())
    print('lr(1.6e-3, warmup 30, 800):', {e: R.lr_at(e, 1.6e-3, 30, 800) for e in (0, 15, 30, 100, 415, 800)})
    print('layer-decay scales:', [round(s, 6) for s in R.layer_decay_scales(12, 0.65)])
    m = R.aim_base()
    print('aim_base trainable params', sum(p.numel() for p in m.parameters() if p.requires_grad),
          'pos_embed', m.pos_embed.numel(), 'gaussian buffer', m.gaussian_blur.weight.numel())

# ------------------------------------------------------------------------------------ fixtures


def fx_pos_embed():
    write('pos_embed.safetensors', {'d768_g14': R.sincos_pos_embed(768, 14), 'd32_g4': R.sincos_pos_embed(32, 4)})


def fx_gaussian():
    torch.manual_seed(0)
    x = torch.randn(2, 3, 16, 16)
    write('gaussian.safetensors', {
        'kernel9': R.gaussian_kernel(9, 1), 'kernel5': R.gaussian_kernel(5, 1),
        'input': x, 'blur9': R.GaussianBlur(9, 1)(x), 'blur5': R.GaussianBlur(5, 1)(x),
        'ones_blur9': R.GaussianBlur(9, 1)(torch.ones(1, 3, 32, 32))})


def fx_orders():
    torch.manual_seed(0)
    A = torch.rand(2, 196).softmax(dim=-1)
    A[0, 105] = 1.0  # argmax row 7, col 7 (spec 4.3 example)
    A[1, 13] = 1.0   # argmax row 0, col 13 (corner, box-table quirks)
    U = torch.rand(2, 196)
    cu = torch.rand(2, 2)
    t = {'attn': A, 'noise': U, 'center_u': cu, 'center': (cu * 13).floor().long()}
    kinds = ['zigzag', 'raster', 'stochastic', 'center2out', 'stochastic_center', 'attention',
             'attention_guided', 'attention_center']
    for k in kinds:
        t['prio.' + k] = R.make_priority(k, 2, 14, noise=U, attn=A, center_u=cu)
    mh, mg = R.build_masks(t['prio.attention_center'][:1])
    t['mask_content'], t['mask_query'] = blocked(mh)[0, 0], blocked(mg)[0, 0]
    ex = torch.tensor([[0.3, 0.1, 0.4, 0.2]])
    eh, eg = R.build_masks(ex)
    t.update({'example.prio': ex, 'example.mask_content': blocked(eh)[0, 0], 'example.mask_query': blocked(eg)[0, 0]})
    write('orders.safetensors', t)


def aim_case(cfg, seed, prefix):
    torch.manual_seed(seed)
    model = R.AimViT(**cfg)
    perturb(model)
    x = torch.randn(2, 3, 16, 16)
    noise = torch.rand(2, 16)
    z, cos_cls, cos_gap, maps = model.order_pass(x)
    prio = model.priority(x, noise)
    mh, mg = R.build_masks(prio)
    model.zero_grad()
    loss, _, loss_map, pred = model(x, prio=prio)
    loss.backward()
    t = {'input': x, 'noise': noise, 'target_blur': model.gaussian_blur(x), 'target': model.target(x),
         'order.z': z, 'order.cos': cos_cls if cfg['attention_type'] == 'cls' else cos_gap,
         'order.attn_map': maps[cfg['attention_type']], 'order.self_map': maps['self'],
         'order.argmax': maps[cfg['attention_type']].argmax(dim=1), 'priority': prio,
         'mask_h': blocked(mh), 'mask_g': blocked(mg), 'pred': pred, 'loss_map': loss_map, 'loss': loss}
    t = {prefix + k: v.detach() for k, v in t.items()}
    t.update(params(model, prefix + 'param.'))
    t.update(grads(model, prefix + 'grad.'))
    print(f'{prefix or "main "} loss {loss.item():.7f}  priority[0] {prio[0].tolist()}')
    return t


def fx_tiny_model():
    t = aim_case(TINY, 0, '')
    t.update(aim_case(VAR2, 1, 'var2.'))
    write('tiny_model.safetensors', t, {'config': json.dumps(TINY), 'var2.config': json.dumps(VAR2),
                                        'init': 'spec 2.7 then every 1-D trainable param += 0.05*N(0,1)'})


def fx_vit():
    torch.manual_seed(2)
    gp = R.VisionTransformer(**VIT, global_pool=True)
    for m in gp.modules():
        if isinstance(m, torch.nn.Linear):
            torch.nn.init.xavier_uniform_(m.weight)
    torch.nn.init.normal_(gp.cls_token, std=0.02)
    torch.nn.init.normal_(gp.head.weight, std=0.02)
    perturb(gp)
    x, y = torch.randn(4, 3, 16, 16), torch.tensor([3, 7, 0, 9])
    logits = gp(x)
    loss = torch.nn.functional.cross_entropy(logits, y)
    loss.backward()
    cls = R.VisionTransformer(**VIT, global_pool=False)
    sd = {k: v for k, v in gp.state_dict().items() if not k.startswith('fc_norm.')}
    sd['norm.weight'] = 1 + 0.05 * torch.randn(32)
    sd['norm.bias'] = 0.05 * torch.randn(32)
    cls.load_state_dict(sd)
    cls_logits = cls(x)
    t = {'input': x, 'labels': y, 'logits': logits.detach(), 'loss': loss.detach(),
         'cls.param.norm.weight': sd['norm.weight'], 'cls.param.norm.bias': sd['norm.bias'],
         'cls.logits': cls_logits.detach(),
         'cls.loss': torch.nn.functional.cross_entropy(cls_logits, y).detach()}
    t.update(params(gp, 'param.'))
    t.update(grads(gp, 'grad.'))
    write('vit_tiny.safetensors', t, {'config': json.dumps(dict(VIT, global_pool=True))})


def fx_train_steps(steps=3):
    torch.manual_seed(0)
    model = R.AimViT(**TINY)
    perturb(model)  # same seed and draws as aim_case: starts from tiny_model.safetensors param.*
    tiny, _ = load_safetensors(os.path.join(OUT, 'tiny_model.safetensors'))
    assert all(torch.equal(tiny['param.' + k], v) for k, v in model.state_dict().items())
    t = {}
    opt = torch.optim.AdamW(R.param_groups(model, 0.05), lr=1e-3, betas=(0.9, 0.95), eps=1e-8)
    trainable = [p for p in model.parameters() if p.requires_grad]
    torch.manual_seed(10)
    xs, noises, prios, losses, norms = [], [], [], [], []
    for _ in range(steps):
        x, noise = torch.randn(2, 3, 16, 16), torch.rand(2, 16)
        prio = model.priority(x, noise)            # order pass with the current weights
        opt.zero_grad()
        loss = model(x, prio=prio)[0]
        loss.backward()
        norms.append(torch.nn.utils.clip_grad_norm_(trainable, 3.0))
        opt.step()
        xs.append(x), noises.append(noise), prios.append(prio), losses.append(loss.detach())
    t.update({'input': torch.stack(xs), 'noise': torch.stack(noises), 'priority': torch.stack(prios),
              'loss': torch.stack(losses), 'grad_norm': torch.stack(norms)})
    t.update(params(model, 'final.'))
    print('train losses', [round(v.item(), 7) for v in losses], 'grad norms', [round(v.item(), 5) for v in norms])
    write('train_steps.safetensors', t, {'config': json.dumps(TINY), 'optimizer': json.dumps(
        dict(type='AdamW', lr=1e-3, betas=[0.9, 0.95], eps=1e-8, weight_decay=0.05, clip_grad=3.0))})


# ------------------------------------------------------------------------------------ SemAIM* teachers (4.4, 5.3)

CLIP_T = dict(img_size=16, patch_size=4, width=24, layers=2, heads=2, out_dim=16)
DINO_T = dict(img_size=16, patch_size=4, in_chans=3, embed_dim=32, depth=2, num_heads=2, mlp_ratio=4.0, num_classes=1,
              global_pool=False)
STAR = dict(TINY, gaussian_kernel_size=0, depth=2, query_depth=2)   # a feature target has no blur (4.4)
HF_BLOCK = {'ln_1': 'layer_norm1', 'ln_2': 'layer_norm2', 'mlp.c_fc': 'mlp.fc1', 'mlp.c_proj': 'mlp.fc2',
            'attn.out_proj': 'self_attn.out_proj'}


def clip_teacher():
    """The CLIP-shaped teacher, weights rounded to float16 (what clip.load's TorchScript archive stores), so that the
    fp32 .pth, the fp16 TorchScript archive and the HF safetensors file all hold the same values."""
    torch.manual_seed(20)
    m = R.ClipLike(**CLIP_T).eval()
    perturb(m)
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(p.half().float())
    return m


def hf_names(visual_sd):
    """OpenAI CLIP visual keys -> Hugging Face CLIPVisionModelWithProjection keys (q/k/v split, proj transposed)."""
    out = {}
    for k, v in visual_sd.items():
        k = k[len('visual.'):]
        if k == 'conv1.weight':
            out['vision_model.embeddings.patch_embedding.weight'] = v
        elif k == 'class_embedding':
            out['vision_model.embeddings.class_embedding'] = v
        elif k == 'positional_embedding':
            out['vision_model.embeddings.position_embedding.weight'] = v
        elif k.startswith('ln_pre.'):
            out['vision_model.pre_layrnorm.' + k[7:]] = v
        elif k.startswith('ln_post.'):
            out['vision_model.post_layernorm.' + k[8:]] = v
        elif k == 'proj':
            out['visual_projection.weight'] = v.t().contiguous()
        elif '.attn.in_proj_' not in k:  # the fused in_proj is split below
            m = re.match(r'transformer\.resblocks\.(\d+)\.(.*)\.(weight|bias)$', k)
            out[f'vision_model.encoder.layers.{m.group(1)}.' + HF_BLOCK[m.group(2)] + '.' + m.group(3)] = v
    for k, v in visual_sd.items():
        m = re.match(r'visual\.transformer\.resblocks\.(\d+)\.attn\.in_proj_(weight|bias)$', k)
        if m:
            for name, part in zip(('q_proj', 'k_proj', 'v_proj'), v.chunk(3, dim=0)):
                out[f'vision_model.encoder.layers.{m.group(1)}.self_attn.{name}.{m.group(2)}'] = part.contiguous()
    return out


def dino_teacher():
    torch.manual_seed(21)
    vit = R.VisionTransformer(**DINO_T).eval()
    for m in vit.modules():
        if isinstance(m, torch.nn.Linear):
            torch.nn.init.xavier_uniform_(m.weight)
    torch.nn.init.normal_(vit.cls_token, std=0.02)
    perturb(vit)
    with torch.no_grad():
        vit.pos_embed.add_(0.02 * torch.randn_like(vit.pos_embed))  # learnt in DINO
    return vit


def star_step(prefix, cfg, seed, x, noise, teacher_feats=None, ema=None):
    """One SemAIM* step (no optimizer): target F, order map A, priority, prediction, feature loss and gradients.
    teacher_feats: (B, T, K) features of a frozen teacher (map = min-max similarity); ema: an AimViT whose order pass gives
    the target z and its configured map ('ema'); neither: the student's own order pass ('inference')."""
    torch.manual_seed(seed)
    model = R.AimViT(**cfg)
    perturb(model)
    if teacher_feats is not None:
        feats, attn = teacher_feats, minmax_similarity_ref(teacher_feats)
    else:
        enc = ema if ema is not None else model
        z, _, _, maps = enc.order_pass(x)
        feats, attn = z, maps[cfg['attention_type']]
    prio = R.make_priority(cfg['permutation_type'], x.shape[0], 4, noise=noise, attn=attn)
    mh, mg = R.build_masks(prio)
    model.zero_grad()
    pred = model.forward_aim(x, mh, mg)
    loss, loss_map = R.feature_loss(pred, feats)
    loss.backward()
    t = {'target': feats, 'map': attn, 'priority': prio, 'pred': pred, 'loss_map': loss_map, 'loss': loss}
    t = {prefix + k: v.detach() for k, v in t.items()}
    t.update(params(model, prefix + 'param.'))
    t.update(grads(model, prefix + 'grad.'))
    print(f'{prefix} loss {loss.item():.7f}  priority[0] argmin {prio[0].argmin().item()}')
    return t, model


def minmax_similarity_ref(f):
    return R.minmax_similarity(f)


def fx_semaim_star():
    clip = clip_teacher()
    sd = clip.state_dict()
    torch.save(sd, os.path.join(OUT, 'clip_tiny.pth'))
    print('wrote clip_tiny.pth (OpenAI CLIP key layout, plain state dict, float32)')
    example = torch.randn(1, 3, 16, 16)
    traced = torch.jit.trace(copy.deepcopy(clip), example).half()  # (a copy: tracing shares the parameters) clip.load's archive: TorchScript, float16 weights
    torch.jit.save(traced, os.path.join(OUT, 'clip_tiny_jit.pt'))
    print('wrote clip_tiny_jit.pt (TorchScript archive, float16)')
    write('clip_tiny_hf.safetensors', hf_names({k: v for k, v in sd.items() if k.startswith('visual.')}))
    dino = dino_teacher()
    dsd = {k: v for k, v in dino.state_dict().items() if not k.startswith('head.')}  # timm num_classes=0
    torch.save(dsd, os.path.join(OUT, 'dino_tiny.pth'))
    print('wrote dino_tiny.pth (timm key names, plain state dict)')

    torch.manual_seed(22)
    x, noise = torch.randn(2, 3, 16, 16), torch.rand(2, 16)
    with torch.no_grad():
        clip_f, dino_f = clip(x), R.vit_tokens(dino, x)
    t = {'input': x, 'noise': noise, 'clip.features': clip_f, 'dino.features': dino_f}
    step, _ = star_step('clip.', dict(STAR, out_dim=CLIP_T['out_dim']), 23, x, noise, teacher_feats=clip_f)
    t.update(step)
    # dino, inference and ema train the same student (head width D, seed 25): its weights are stored once, as dino.param.*
    step, _ = star_step('dino.', dict(STAR, out_dim=DINO_T['embed_dim']), 25, x, noise, teacher_feats=dino_f)
    t.update(step)
    step, _ = star_step('inference.', dict(STAR, out_dim=STAR['embed_dim']), 25, x, noise)
    t.update({k: v for k, v in step.items() if '.param.' not in k})
    # 'ema': the EMA copy differs from the online weights (as after some steps): online + 0.02 N(0,1) on trainables
    torch.manual_seed(25)
    ema = R.AimViT(**dict(STAR, out_dim=STAR['embed_dim']))
    perturb(ema)
    with torch.no_grad():
        for p in ema.parameters():
            if p.requires_grad:
                p.add_(0.02 * torch.randn_like(p))
    t.update(params(ema, 'ema.ema_param.'))
    step, online = star_step('ema.', dict(STAR, out_dim=STAR['embed_dim']), 25, x, noise, ema=ema)
    t.update({k: v for k, v in step.items() if '.param.' not in k})
    with torch.no_grad():  # timm ModelEma.update after the step: e <- d e + (1 - d) online, d = 0.999 (epoch 0)
        msd = online.state_dict()
        for k, v in ema.state_dict().items():
            v.copy_(v * 0.999 + (1. - 0.999) * msd[k])
    t.update(params(ema, 'ema.updated.'))
    write('semaim_star.safetensors', t, {'config': json.dumps(STAR), 'clip_teacher': json.dumps(CLIP_T),
                                        'dino_teacher': json.dumps(DINO_T), 'ema_decay': '0.999'})


if __name__ == '__main__':
    torch.set_num_threads(1)  # deterministic reductions
    os.makedirs(OUT, exist_ok=True)
    spec_checks()
    fx_pos_embed()
    fx_gaussian()
    fx_orders()
    fx_tiny_model()
    fx_vit()
    fx_train_steps()
    fx_semaim_star()
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT) if f.endswith('.safetensors'))
    print('total fixture bytes', total)
