package dev.semaim.eval;

import dev.semaim.autograd.Var;
import dev.semaim.model.VisionTransformer;
import dev.semaim.nn.Module;
import dev.semaim.nn.Parameter;
import dev.semaim.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A frozen feature backbone (a {@link VisionTransformer} without head) with a trainable
 * {@link LinearProbeHead}. Its state dict uses the reference's keys: the backbone's own names
 * ({@code cls_token}, {@code blocks.0...}, {@code norm.*}) then {@code head.0.*}, {@code head.1.*}. Only the
 * head's parameters are trainable; the backbone's are reported as frozen so optimizers and checkpoints of
 * trainable state leave them alone.
 */
public final class LinearProbeModel extends Module {
    private static final String BACKBONE = "backbone.";
    public final VisionTransformer backbone;
    public final LinearProbeHead head;

    public LinearProbeModel(VisionTransformer backbone, LinearProbeHead head) {
        if (backbone.head != null) {
            throw new IllegalArgumentException("linear probe: the backbone must be built without a head (numClasses 0)");
        }
        this.backbone = child("backbone", backbone);
        this.head = child("head", head);
    }

    /** The backbone's names without a prefix, the head's under {@code head.}. */
    @Override
    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        super.namedParameters().forEach((k, p) -> out.put(k.startsWith(BACKBONE) ? k.substring(BACKBONE.length()) : k, p));
        return out;
    }

    /** The head's trainable parameters only: the backbone stays frozen. */
    @Override
    public Map<String, Parameter> trainableParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        namedParameters().forEach((k, p) -> {
            if (k.startsWith("head.") && p.trainable()) {
                out.put(k, p);
            }
        });
        return out;
    }

    /** Backbone features (no gradients, eval mode) then the head in this model's mode. images: (B, C, H, W) -> (B, classes). */
    public Var forward(Tensor images) {
        return head.forward(Var.constant(backbone.features(images)));
    }
}
