package dev.semaim.io;

import dev.semaim.nn.io.RawTensor;

import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ViT encoder of a SemAIM (or SAIM) state dict under the names timm's {@code VisionTransformer} and the
 * official {@code models_vit} use (spec section 10), so that {@code load_state_dict(strict=True)} accepts it:
 * {@code cls_token}, {@code pos_embed} (1, 1 + N, D) with the class token's row, as both models hold it,
 * {@code patch_embed.proj.*}, {@code blocks.i.*} with a fused {@code attn.qkv}, the final norm, and, from a
 * fine-tuned classifier, {@code head.{weight,bias}}. The final norm is {@code norm.*} for token pooling (timm's
 * default, models_vit without {@code --global_pool}) or {@code fc_norm.*} for global average pooling (timm
 * {@code global_pool='avg'}, models_vit {@code --global_pool}), which hold no {@code norm}: there the
 * pre-training {@code norm} becomes {@code fc_norm}, now applied to the mean of the patch tokens (what MAE-style
 * fine-tuning starts from anyway, since it re-initialises that norm only when it is missing).
 *
 * <p>Left out: the query stream ({@code query_blocks.*}), the pixel {@code prediction_head.*}, the
 * {@code gaussian_blur} buffer, the optimizer state, and a linear probe's BatchNorm head ({@code head.0.*},
 * {@code head.1.*}, which timm has no place for). A DDP {@code module.} prefix is stripped. SAIM encoder blocks
 * carry separate {@code attn.q/k/v} (spec section 10); they are fused into {@code attn.qkv} by stacking rows
 * [q | k | v], the layout of timm's fused projection.
 */
final class TimmEncoder {
    private static final Pattern KEEP = Pattern.compile(
            "cls_token|pos_embed|patch_embed\\.proj\\.(weight|bias)|blocks\\.\\d+\\..+|(norm|fc_norm|head)\\.(weight|bias)");
    private static final Pattern SEPARATE_QKV = Pattern.compile("(blocks\\.\\d+\\.attn\\.)([qkv])\\.(weight|bias)");
    private static final String MODULE = "module.", NORM = "norm.", FC_NORM = "fc_norm.";

    private TimmEncoder() {
    }

    /**
     * The encoder tensors of {@code sd}, in its order; each group left out is counted into {@code dropped} under
     * "name.*". {@code source} names the file in errors.
     */
    static Map<String, RawTensor> of(Map<String, RawTensor> sd, boolean avgPool, String source, Map<String, Integer> dropped) {
        Map<String, RawTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, RawTensor> e : sd.entrySet()) {
            String name = e.getKey().startsWith(MODULE) ? e.getKey().substring(MODULE.length()) : e.getKey();
            if (avgPool && name.startsWith(NORM)) name = FC_NORM + name.substring(NORM.length());
            if (!avgPool && name.startsWith(FC_NORM)) name = NORM + name.substring(FC_NORM.length());
            if (!KEEP.matcher(name).matches()) {
                int dot = name.indexOf('.');
                dropped.merge(dot < 0 ? name : name.substring(0, dot + 1) + "*", 1, Integer::sum);
                continue;
            }
            Matcher m = SEPARATE_QKV.matcher(name);
            if (!m.matches()) {
                if (out.put(name, e.getValue()) != null) { // only norm and fc_norm can meet here, renamed into one
                    throw new IllegalArgumentException(source + ": holds both norm.* and fc_norm.*; a timm encoder has one of them");
                }
            } else if (m.group(2).equals("q")) { // fused when q is met; k and v must follow from the same block
                String prefix = m.group(1), kind = m.group(3);
                out.put(prefix + "qkv." + kind, stackRows(source, prefix, kind, sd, e.getKey().startsWith(MODULE) ? MODULE : ""));
            }
        }
        String norm = (avgPool ? FC_NORM : NORM) + "weight";
        for (String required : new String[] {"cls_token", "pos_embed", "patch_embed.proj.weight", "blocks.0.attn.qkv.weight", norm}) {
            if (!out.containsKey(required)) {
                throw new IllegalArgumentException(source + ": no '" + required + "' tensor: not a ViT encoder (it holds "
                        + sd.size() + " tensors" + (sd.isEmpty() ? "" : ", the first '" + sd.keySet().iterator().next() + "'") + ")");
            }
        }
        return out;
    }

    /** q, k and v of one block stacked along the first axis: (3D, ...) = [q | k | v]. */
    private static RawTensor stackRows(String source, String prefix, String kind, Map<String, RawTensor> sd, String module) {
        RawTensor q = sd.get(module + prefix + "q." + kind);
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (String part : new String[] {"q", "k", "v"}) {
            String name = module + prefix + part + "." + kind;
            RawTensor t = sd.get(name);
            if (t == null) throw new IllegalArgumentException(source + ": '" + module + prefix + "q." + kind + "' has no '" + name + "' to fuse with");
            if (!t.dtype().equals(q.dtype()) || !java.util.Arrays.equals(t.shape(), q.shape()) || t.shape().length == 0) {
                throw new IllegalArgumentException(source + ": cannot fuse '" + name + "' " + t + " with '" + module + prefix
                        + "q." + kind + "' " + q + " into attn.qkv");
            }
            data.writeBytes(t.data());
        }
        int[] shape = q.shape().clone();
        shape[0] *= 3;
        return new RawTensor(q.dtype(), shape, data.toByteArray());
    }
}
