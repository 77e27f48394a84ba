#!/usr/bin/python3
"""Compact PyTorch reference of SemAIM pre-training (AimViT) and its ViT classifier.

Written from docs/SEMAIM-SPEC.md (section numbers below refer to it).  Every random
tie-break is an argument, so a caller can inject the exact noise and compare bit-for-bit.
Import it: `from semaim_ref import AimViT, VisionTransformer, ...` (Debian PyTorch 1.13).
"""
import math
import torch
import torch.nn as nn
import torch.nn.functional as F

# --------------------------------------------------------------------------- embeddings (2.2)


def sincos_pos_embed(dim, grid, cls_token=True):
    """(1, 1+G*G, D) fixed 2-D sin-cos table, float64 then cast to float32.

    Patch p = r*G + c.  dims [0,F): sin(c w), [F,2F): cos(c w), [2F,3F): sin(r w), [3F,4F): cos(r w);
    F = D/4, w_k = 10000^(-k/F).  Row 0 (cls) is zeros.
    """
    assert dim % 4 == 0
    f = dim // 4
    omega = 1.0 / 10000 ** (torch.arange(f, dtype=torch.float64) / f)
    r = torch.arange(grid, dtype=torch.float64).repeat_interleave(grid)  # row of patch p
    c = torch.arange(grid, dtype=torch.float64).repeat(grid)             # column of patch p
    oc, orr = c[:, None] * omega[None], r[:, None] * omega[None]
    emb = torch.cat([oc.sin(), oc.cos(), orr.sin(), orr.cos()], dim=1)
    if cls_token:
        emb = torch.cat([torch.zeros(1, dim, dtype=torch.float64), emb], dim=0)
    return emb.float().unsqueeze(0)


class PatchEmbed(nn.Module):
    """Stride-P, kernel-P conv, flattened row-major over the grid: (B,C,H,W) -> (B,L,D)."""

    def __init__(self, img_size=224, patch_size=16, in_chans=3, embed_dim=768):
        super().__init__()
        self.grid = img_size // patch_size
        self.num_patches = self.grid * self.grid
        self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


# --------------------------------------------------------------------------- blocks (2.3, 2.4)


class Mlp(nn.Module):
    def __init__(self, dim, hidden, out=None):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, out or dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


def _attend(q, k, v, heads, mask):
    """q,k,v (B,T,D) -> heads; scores (q k^T)*scale + mask; returns (out (B,T,D), probs (B,H,T,T))."""
    B, Tq, D = q.shape
    hd = D // heads
    q = q.reshape(B, Tq, heads, hd).transpose(1, 2)
    k = k.reshape(B, k.shape[1], heads, hd).transpose(1, 2)
    v = v.reshape(B, v.shape[1], heads, hd).transpose(1, 2)
    s = (q @ k.transpose(-2, -1)) * hd ** -0.5
    if mask is not None:
        s = s + mask
    p = s.softmax(dim=-1)
    return (p @ v).transpose(1, 2).reshape(B, Tq, D), p


class Attention(nn.Module):
    """Fused qkv self-attention (rows [q|k|v], head-major inside each); timm key names."""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x, mask=None, return_attn=False):
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        o, p = _attend(q, k, v, self.heads, mask)
        return (self.proj(o), p) if return_attn else self.proj(o)


class Block(nn.Module):
    """Encoder (content-stream) block `Block_SelfMask`; also the ViT classifier block."""

    def __init__(self, dim, heads, mlp_ratio=4.0):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x, mask=None, return_attn=False):
        a, p = self.attn(self.norm1(x), mask, return_attn=True)
        x = x + a
        x = x + self.mlp(self.norm2(x))
        return (x, p) if return_attn else x


class CrossAttention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(dim, dim)
        self.k = nn.Linear(dim, dim)
        self.v = nn.Linear(dim, dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, g, h, mask=None):
        o, _ = _attend(self.q(g), self.k(h), self.v(h), self.heads, mask)
        return self.proj(o)


class QueryBlock(nn.Module):
    """Query-stream block `Block_SelfCrossMask`: pure cross-attention, ONE norm1 shared by g and h."""

    def __init__(self, dim, heads, mlp_ratio=4.0):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = CrossAttention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, g, h, mask=None):
        g = g + self.attn(self.norm1(g), self.norm1(h), mask)
        return g + self.mlp(self.norm2(g))


# --------------------------------------------------------------------------- target (5.1, 5.2)


def gaussian_kernel(size=9, sigma=1.0):
    """(size,size) kernel prop. to exp(-((a-m)^2+(b-m)^2)/(2 s^2)), sum 1; float64 then float32."""
    m = (size - 1) / 2
    a = torch.arange(size, dtype=torch.float64) - m
    g1 = torch.exp(-a ** 2 / (2.0 * float(sigma) ** 2))
    k = g1[:, None] * g1[None, :]
    return (k / k.sum()).float()


class GaussianBlur(nn.Module):
    """Depthwise conv, zero padding size//2; state-dict key `gaussian_blur.weight` (C,1,k,k) buffer."""

    def __init__(self, size=9, sigma=1.0, chans=3):
        super().__init__()
        self.register_buffer('weight', gaussian_kernel(size, sigma).expand(chans, 1, size, size).clone())

    def forward(self, x):
        return F.conv2d(x, self.weight, padding=self.weight.shape[-1] // 2, groups=x.shape[1])


def patchify(imgs, p):
    """(B,C,H,W) -> (B,L,P*P*C); element (i*P + j)*C + ch  (y, x, channel - channel fastest)."""
    B, C, H, W = imgs.shape
    g = H // p
    x = imgs.reshape(B, C, g, p, g, p).permute(0, 2, 4, 3, 5, 1)
    return x.reshape(B, g * g, p * p * C)


def norm_pix(t):
    """Per patch (t - mean) / sqrt(unbiased var + 1e-6)."""
    return (t - t.mean(dim=-1, keepdim=True)) / (t.var(dim=-1, keepdim=True, unbiased=True) + 1e-6) ** 0.5


# --------------------------------------------------------------------------- orders (4) and masks (3)

# box table for the *_center variants (14x14 only): per centre coordinate, three [start,end) boxes
BOX_TABLE = {0: [(0, 2), (0, 6), (0, 10)], 1: [(0, 2), (0, 6), (0, 10)], 2: [(0, 2), (0, 6), (0, 10)],
             3: [(2, 4), (0, 6), (0, 10)], 4: [(3, 5), (1, 7), (0, 10)], 5: [(4, 6), (2, 8), (0, 10)],
             6: [(5, 7), (3, 9), (1, 11)], 7: [(6, 8), (4, 10), (2, 12)], 8: [(7, 9), (5, 11), (3, 13)],
             9: [(8, 10), (6, 12), (3, 13)], 10: [(9, 11), (7, 13), (3, 13)],
             11: [(11, 13), (7, 13), (3, 13)], 12: [(11, 13), (7, 13), (3, 13)], 13: [(11, 13), (7, 13), (3, 13)]}


def box_levels(r0, c0, grid=14):
    """(G*G,) float: minus the number of boxes (centred at r0,c0 via BOX_TABLE) containing each patch."""
    assert grid == 14, "box-based orders are defined for the 14x14 grid only"
    lev = torch.zeros(grid, grid)
    for (rs, re), (cs, ce) in zip(BOX_TABLE[int(r0)], BOX_TABLE[int(c0)]):
        lev[rs:re, cs:ce] -= 1.0
    return lev.flatten()


def center_distance(m, grid):
    """(B,) argmax indices -> (B, L) float32 Euclidean grid distance to that patch."""
    idx = torch.arange(grid * grid, device=m.device)
    r, c = idx // grid, idx % grid
    dr = (r[None] - (m // grid)[:, None]).float()
    dc = (c[None] - (m % grid)[:, None]).float()
    return torch.sqrt(dr * dr + dc * dc)


def make_priority(kind, B, grid, noise=None, attn=None, center_u=None, device='cpu'):
    """Priority (B, L), lower = earlier (spec 4.1).

    noise    (B,L) U[0,1) tie-break noise (drawn with torch.rand if None)
    attn     (B,L) attention map A (the '*attention*' types)
    center_u (B,2) U[0,1) draws for stochastic_center: centre row = floor(u0*13), col = floor(u1*13)
    Noise is drawn on the CPU (as in the reference) and moved to `device` (or to noise's device if given).
    """
    L = grid * grid
    if noise is None:
        noise = torch.rand(B, L).to(device)
    device = noise.device
    if kind == 'zigzag':  # plain row-major raster
        return torch.arange(L, dtype=torch.float32, device=device).expand(B, L).clone()
    if kind == 'raster':  # snake: odd rows reversed
        r, c = torch.arange(L, device=device) // grid, torch.arange(L, device=device) % grid
        pr = torch.where(r % 2 == 0, grid * r + c, grid * r + (grid - 1 - c))
        return pr.float().expand(B, L).clone()
    if kind == 'stochastic':
        return noise.clone()
    if kind == 'center2out':
        return noise + box_levels(7, 7, grid).to(device)[None]  # boxes [6,8) [4,10) [2,12) == table row 7
    if kind == 'stochastic_center':
        if center_u is None:
            center_u = torch.rand(B, 2)
        cr, cc = (center_u * 13).floor().long().cpu().unbind(1)
        return noise + torch.stack([box_levels(cr[b], cc[b], grid) for b in range(B)]).to(device)
    if kind == 'attention':
        return 1.0 - attn
    if kind == 'attention_guided':
        m = attn.argmax(dim=1).cpu()
        return noise + torch.stack([box_levels(m[b] // grid, m[b] % grid, grid) for b in range(B)]).to(device)
    if kind == 'attention_center':  # the SemAIM order (4.3)
        return center_distance(attn.argmax(dim=1), grid) + 0.001 * noise
    raise ValueError(kind)


def build_masks(prio):
    """Additive masks (B,1,T,T) from priority (B,L): returns (mask_h content, mask_g query)."""
    B, L = prio.shape
    pi, pj = prio[:, :, None], prio[:, None, :]
    blk_h = torch.ones(B, L + 1, L + 1, dtype=torch.bool, device=prio.device)
    blk_g = blk_h.clone()
    blk_h[:, 1:, 1:] = pi < pj    # patch i sees j iff pi[j] <= pi[i]
    blk_g[:, 1:, 1:] = pi <= pj   # query i sees j iff pi[j] <  pi[i]
    for blk in (blk_h, blk_g):
        blk[:, :, 0] = False      # everyone sees the content cls token; cls row sees only column 0
    inf = torch.tensor(float('-inf'), device=prio.device)
    zero = torch.tensor(0.0, device=prio.device)
    return torch.where(blk_h, inf, zero)[:, None], torch.where(blk_g, inf, zero)[:, None]


# --------------------------------------------------------------------------- the model (2)


class AimViT(nn.Module):
    def __init__(self, img_size=224, patch_size=16, in_chans=3, embed_dim=768, depth=12, num_heads=12,
                 mlp_ratio=4.0, query_depth=12, permutation_type='attention_center', attention_type='cls',
                 prediction_head_type='MLP', gaussian_kernel_size=9, gaussian_sigma=1, loss_type='L2',
                 norm_pix_loss=True, out_dim=None):
        super().__init__()
        assert depth % query_depth == 0, "depth must be divisible by query_depth (spec 12.16)"
        self.patch_size, self.permutation_type, self.attention_type = patch_size, permutation_type, attention_type
        self.loss_type, self.norm_pix_loss, self.step = loss_type, norm_pix_loss, depth // query_depth
        D = embed_dim
        self.patch_embed = PatchEmbed(img_size, patch_size, in_chans, D)
        self.grid, L = self.patch_embed.grid, self.patch_embed.num_patches
        self.cls_token = nn.Parameter(torch.zeros(1, 1, D))
        self.pos_embed = nn.Parameter(sincos_pos_embed(D, self.grid), requires_grad=False)
        self.blocks = nn.ModuleList([Block(D, num_heads, mlp_ratio) for _ in range(depth)])
        self.query_blocks = nn.ModuleList([QueryBlock(D, num_heads, mlp_ratio) for _ in range(query_depth)])
        self.norm = nn.LayerNorm(D, eps=1e-6)
        out = out_dim or patch_size ** 2 * in_chans
        self.prediction_head = (Mlp(D, int(D * mlp_ratio), out) if prediction_head_type == 'MLP'
                                else nn.Linear(D, out))
        self.gaussian_blur = GaussianBlur(gaussian_kernel_size, gaussian_sigma, in_chans) \
            if gaussian_kernel_size else None
        self.init_weights()

    def init_weights(self):  # spec 2.7
        w = self.patch_embed.proj.weight
        nn.init.xavier_uniform_(w.view(w.shape[0], -1))  # bias keeps the Conv2d default
        nn.init.normal_(self.cls_token, std=0.02)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.LayerNorm):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def embed(self, x):
        t = self.patch_embed(x)
        return torch.cat([self.cls_token.expand(t.shape[0], -1, -1), t], dim=1) + self.pos_embed

    @torch.no_grad()
    def order_pass(self, x):
        """Spec 4.2: unmasked encoder, shared final norm. Returns Z, cos (cls), cos_gap, maps dict."""
        h = self.embed(x)
        for i, blk in enumerate(self.blocks):
            if i == len(self.blocks) - 1:
                h, probs = blk(h, return_attn=True)
            else:
                h = blk(h)
        z = self.norm(h)
        zn = F.normalize(z, dim=-1)
        cos_cls = (zn[:, :1] * zn[:, 1:]).sum(-1)
        gap = F.normalize(z[:, 1:].mean(dim=1, keepdim=True), dim=-1)
        cos_gap = (gap * zn[:, 1:]).sum(-1)
        maps = {'cls': cos_cls.softmax(dim=-1), 'gap': cos_gap.softmax(dim=-1),
                'self': probs.mean(dim=1)[:, 0, 1:]}
        return z, cos_cls, cos_gap, maps

    def priority(self, x, noise=None, center_u=None):
        attn = None
        if 'attention' in self.permutation_type:
            attn = self.order_pass(x)[3][self.attention_type]
        return make_priority(self.permutation_type, x.shape[0], self.grid, noise, attn, center_u, x.device)

    def forward_aim(self, x, mask_h, mask_g):
        """Interleaved two-stream forward (2.5) -> pred (B, T, out) (cls slot included)."""
        h = self.embed(x)
        g = self.pos_embed.expand(x.shape[0], -1, -1)
        for i, blk in enumerate(self.blocks):
            h = blk(h, mask_h)
            if (i + 1) % self.step == 0:
                g = self.query_blocks[(i + 1) // self.step - 1](g, h, mask_g)
        return self.prediction_head(self.norm(g))

    def target(self, x):
        t = self.gaussian_blur(x) if self.gaussian_blur is not None else x
        t = patchify(t, self.patch_size)
        return norm_pix(t) if self.norm_pix_loss else t

    def forward(self, x, prio=None, noise=None, center_u=None):
        """Returns (loss, priority, loss_map (B,L), pred (B,T,out)). `prio` overrides the order."""
        if prio is None:
            prio = self.priority(x, noise, center_u)
        mask_h, mask_g = build_masks(prio.detach())
        pred = self.forward_aim(x, mask_h, mask_g)
        err = pred[:, 1:] - self.target(x)
        err = err * err if self.loss_type == 'L2' else err.abs()
        return err.mean(), prio, err.mean(dim=-1), pred


def aim_base(**kw):
    return AimViT(patch_size=16, embed_dim=768, depth=12, num_heads=12, mlp_ratio=4, **kw)


def aim_large(**kw):
    return AimViT(patch_size=16, embed_dim=1024, depth=24, num_heads=16, mlp_ratio=4, **kw)


# --------------------------------------------------------------------------- fine-tune ViT (7)


class VisionTransformer(nn.Module):
    """Classifier: global_pool -> mean of patch tokens -> fc_norm -> head; else norm -> token 0 -> head."""

    def __init__(self, img_size=224, patch_size=16, in_chans=3, embed_dim=768, depth=12, num_heads=12,
                 mlp_ratio=4.0, num_classes=1000, global_pool=True):
        super().__init__()
        D = embed_dim
        self.global_pool = global_pool
        self.patch_embed = PatchEmbed(img_size, patch_size, in_chans, D)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, D))
        self.pos_embed = nn.Parameter(sincos_pos_embed(D, self.patch_embed.grid))  # learnable here
        self.blocks = nn.ModuleList([Block(D, num_heads, mlp_ratio) for _ in range(depth)])
        if global_pool:
            self.fc_norm = nn.LayerNorm(D, eps=1e-6)
        else:
            self.norm = nn.LayerNorm(D, eps=1e-6)
        self.head = nn.Linear(D, num_classes)

    def forward_features(self, x):
        t = self.patch_embed(x)
        x = torch.cat([self.cls_token.expand(t.shape[0], -1, -1), t], dim=1) + self.pos_embed
        for blk in self.blocks:
            x = blk(x)
        return self.fc_norm(x[:, 1:].mean(dim=1)) if self.global_pool else self.norm(x)[:, 0]

    def forward(self, x):
        return self.head(self.forward_features(x))


# --------------------------------------------------------------------------- recipe helpers (6, 7)


def param_groups(model, weight_decay=0.05):
    """Spec 6: decay params with >= 2 dims not ending in '.bias'; frozen params are skipped."""
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        if not p.requires_grad:
            continue
        (no_decay if p.ndim < 2 or n.endswith('.bias') else decay).append(p)
    return [{'params': no_decay, 'weight_decay': 0.0}, {'params': decay, 'weight_decay': weight_decay}]


def lr_at(e, lr, warmup, epochs, min_lr=0.0):
    """Spec 6 per-iteration schedule at fractional epoch e."""
    if e < warmup:
        return lr * e / warmup
    return min_lr + (lr - min_lr) * 0.5 * (1.0 + math.cos(math.pi * (e - warmup) / (epochs - warmup)))


def layer_decay_scales(depth=12, decay=0.65):
    """Spec 7: scale for layer id 0..depth+1 = decay^(depth+1 - id)."""
    n = depth + 1
    return [decay ** (n - i) for i in range(n + 1)]


# --------------------------------------------------------------------------- feature targets (4.4, 5.3)


class QuickGELU(nn.Module):
    """CLIP's activation: x * sigmoid(1.702 x)."""

    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class ClipResBlock(nn.Module):
    """OpenAI CLIP residual block, sequence-first (T, B, D): LayerNorm eps 1e-5, nn.MultiheadAttention (in_proj_weight
    rows [q|k|v]), MLP c_fc -> QuickGELU -> c_proj."""

    def __init__(self, dim, heads):
        super().__init__()
        self.attn = nn.MultiheadAttention(dim, heads)
        self.ln_1 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential()
        self.mlp.add_module('c_fc', nn.Linear(dim, 4 * dim))
        self.mlp.add_module('gelu', QuickGELU())
        self.mlp.add_module('c_proj', nn.Linear(4 * dim, dim))
        self.ln_2 = nn.LayerNorm(dim)

    def forward(self, x):
        y = self.ln_1(x)
        x = x + self.attn(y, y, y, need_weights=False)[0]
        return x + self.mlp(self.ln_2(x))


class ClipTransformer(nn.Module):
    def __init__(self, dim, layers, heads):
        super().__init__()
        self.resblocks = nn.Sequential(*[ClipResBlock(dim, heads) for _ in range(layers)])

    def forward(self, x):
        return self.resblocks(x)


class ClipVisual(nn.Module):
    """The visual tower of OpenAI CLIP ViT (key layout visual.conv1.weight, class_embedding, positional_embedding,
    ln_pre, transformer.resblocks.N.*, ln_post, proj; no conv bias).  forward = the teacher features of spec 4.4:
    every token through ln_post, then @ proj: (B, C, H, W) -> (B, T, K)."""

    def __init__(self, img_size, patch_size, width, layers, heads, out_dim, in_chans=3):
        super().__init__()
        t = (img_size // patch_size) ** 2 + 1
        s = width ** -0.5
        self.conv1 = nn.Conv2d(in_chans, width, kernel_size=patch_size, stride=patch_size, bias=False)
        self.class_embedding = nn.Parameter(s * torch.randn(width))
        self.positional_embedding = nn.Parameter(s * torch.randn(t, width))
        self.ln_pre = nn.LayerNorm(width)
        self.transformer = ClipTransformer(width, layers, heads)
        self.ln_post = nn.LayerNorm(width)
        self.proj = nn.Parameter(s * torch.randn(width, out_dim))

    def forward(self, x):
        x = self.conv1(x).flatten(2).transpose(1, 2)                      # (B, L, D)
        cls = self.class_embedding.expand(x.shape[0], 1, -1)
        x = torch.cat([cls, x], dim=1) + self.positional_embedding
        x = self.ln_pre(x).permute(1, 0, 2)                               # (T, B, D)
        x = self.transformer(x).permute(1, 0, 2)                          # (B, T, D)
        return self.ln_post(x) @ self.proj


class ClipLike(nn.Module):
    """A CLIP model as far as a state dict or TorchScript archive shows it: the visual tower under 'visual' beside
    a (stub) text side, which a teacher loader must ignore."""

    def __init__(self, **visual):
        super().__init__()
        self.visual = ClipVisual(**visual)
        self.token_embedding = nn.Embedding(10, 8)
        self.logit_scale = nn.Parameter(torch.ones([]) * 2.6592)

    def forward(self, x):
        return self.visual(x)


def vit_tokens(vit, x):
    """A timm/DINO ViT's teacher features (spec 4.4 'dino'): all T tokens after the blocks and the final norm."""
    t = vit.patch_embed(x)
    h = torch.cat([vit.cls_token.expand(t.shape[0], -1, -1), t], dim=1) + vit.pos_embed
    for blk in vit.blocks:
        h = blk(h)
    return vit.norm(h)


def minmax_similarity(feats):
    """Teacher order map (4.4): cos(F[0], F[1+p]) min-max normalised over p with 1e-6: (B, T, K) -> (B, L)."""
    f = F.normalize(feats, dim=-1)
    s = (f[:, :1] * f[:, 1:]).sum(-1)
    mx, mn = s.max(dim=1, keepdim=True)[0], s.min(dim=1, keepdim=True)[0]
    return (s - mn) / (mx - mn + 1e-6)


def feature_loss(pred, feats):
    """Spec 5.3: mean over B*L of |normalize(pred) - normalize(F)|^2 (patch tokens only); returns (loss, map (B, L))."""
    t = F.normalize(feats[:, 1:], dim=-1)
    y = F.normalize(pred[:, 1:], dim=-1)
    m = ((y - t) ** 2).sum(dim=-1)
    return m.mean(), m
