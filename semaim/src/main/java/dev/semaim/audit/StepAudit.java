package dev.semaim.audit;

import dev.semaim.autograd.Var;
import dev.semaim.model.AimConfig;
import dev.semaim.model.AimOutput;
import dev.semaim.model.AimViT;
import dev.semaim.model.Masks;
import dev.semaim.model.OrderMaps;
import dev.semaim.model.Orders;
import dev.semaim.nn.Parameter;
import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One pre-training step of an {@link AimViT} with every intermediate kept (spec §4.2 timing, without the
 * optimiser update): order pass → priority → masks → two-stream forward → loss → backward. The names, in the
 * order they are recorded (B images, L patches, T = L + 1 tokens, D width, K = head width):
 * <pre>
 *   input (B,C,H,W)          the normalised images
 *   noise (B,L), center_u (B,2)   the order noise used (absent when a priority was given)
 *   target_blur (B,C,H,W)    blurred input (only with a Gaussian blur)
 *   target (B,L,K)           patchified (+ norm-pix) target (pixel targets)
 *   order.z (B,T,D)          norm(unmasked encoder output)
 *   order.cos (B,L)          cos(reference, Z[1+p]): the reference is Z[0] ('cls', 'self') or the mean normed patch ('gap')
 *   order.attn_map (B,L)     the map A of the configured attention_type
 *   order.self_map (B,L)     last block's head-averaged cls-row attention probabilities over the patches
 *   order.argmax (B) I64     argmax A (the start patch of attention_center)
 *   priority (B,L)           lower = earlier
 *   mask_h, mask_g (B,1,T,T) content / query masks as 0/1 (1 = blocked)
 *   embed.h (B,T,D)          content stream input h⁰
 *   blocks.{i}.h (B,T,D)     content stream after encoder block i
 *   query_blocks.{j}.g (B,T,D)  query stream after query block j (it reads blocks.{(j+1)·step−1}.h)
 *   norm.g (B,T,D)           final norm of the query stream
 *   pred (B,T,K)             prediction head output, cls slot included
 *   loss_map (B,L), loss ()  per-patch and mean loss
 *   grad.{param} (shape of the parameter)  d loss / d param for every trainable parameter
 * </pre>
 * Only the model's own maps are supported (predict_feature 'none' or 'inference'); teacher targets are not.
 */
public final class StepAudit {
    private StepAudit() {}

    /**
     * Runs the step; exactly one of {@code priority} (B, L) and {@code noise} is non-null. Gradients accumulate
     * into the model's parameters (zero them first when they matter).
     */
    public static Map<String, Tensor> run(AimViT model, Tensor images, Tensor priority, Orders.Noise noise) {
        AimConfig c = model.config;
        if ((priority == null) == (noise == null))
            throw new IllegalArgumentException("StepAudit: give either a priority or order noise, not " + (priority == null ? "neither" : "both"));
        if (c.predictFeature().needsTargetEncoder())
            throw new IllegalArgumentException("StepAudit: predict_feature '" + c.predictFeature().spelling() + "' needs a teacher; only 'none' and 'inference' are audited");
        int b = images.size(0), l = c.numPatches();
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("input", images);
        if (noise != null) {
            out.put("noise", noise.tieBreak());
            if (noise.centre() != null) out.put("center_u", noise.centre());
        }
        if (model.gaussianBlur != null) out.put("target_blur", model.gaussianBlur.forward(images));
        if (c.pixelTarget()) out.put("target", model.target(images));

        OrderMaps maps = model.orderMaps(images);
        Tensor attn = maps.map(c.attentionType());                                    // A: (B, L)
        out.put("order.z", maps.z());
        out.put("order.cos", maps.cos(c.attentionType()));
        out.put("order.attn_map", attn);
        out.put("order.self_map", maps.selfMap());
        out.put("order.argmax", attn.argmax(1));
        if (priority == null) {
            priority = Orders.priority(c.permutationType(), c.grid(), noise.tieBreak(), c.orderNeedsMap() ? attn : null, noise.centre());
        } else if (priority.rank() != 2 || priority.size(0) != b || priority.size(1) != l) {
            throw new IllegalArgumentException("StepAudit: priority " + Shape.str(priority.shape()) + " is not (" + b + ", " + l + ")");
        }
        out.put("priority", priority);
        out.put("mask_h", Masks.blocked(Masks.content(priority)));
        out.put("mask_g", Masks.blocked(Masks.query(priority)));

        AimOutput r = model.forward(images, priority, (name, v) -> out.put(streamName(name), v.data()));
        out.put("pred", r.pred().data());
        out.put("loss_map", r.lossMap());
        out.put("loss", r.loss().data());
        r.loss().backward();
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet())
            if (e.getValue().trainable() && e.getValue().grad() != null) out.put("grad." + e.getKey(), e.getValue().grad());
        return out;
    }

    /** The audit name of a stream state shown by {@link AimViT#predict}: embed → embed.h, blocks.i → blocks.i.h, ... */
    private static String streamName(String tap) {
        if (tap.startsWith("query_blocks.") || tap.equals("norm")) return tap + ".g";
        return tap + ".h";
    }
}
