package dev.semaim.nn.optim;

import dev.semaim.nn.Module;
import dev.semaim.nn.Parameter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The parameter groupings of the recipes: weight-decay split (§6) and layer-wise lr decay (§7). Trainable parameters only. */
public final class ParamGroups {
    private ParamGroups() {}

    /** §7's no-decay names for the fine-tuned ViT. */
    public static final Set<String> VIT_NO_DECAY = Set.of("pos_embed", "cls_token", "dist_token");

    /**
     * Two groups, {@code no_decay} (wd 0) and {@code decay} (wd), lrScale 1: no decay for parameters with
     * at most one axis or a name ending in ".bias" (timm's add_weight_decay; cls_token (1,1,D) IS decayed).
     */
    public static List<ParamGroup> weightDecay(Module module, double wd) {
        Map<String, Parameter> decay = new LinkedHashMap<>(), noDecay = new LinkedHashMap<>();
        module.trainableParameters().forEach((name, p) -> {
            if (p.shape().length <= 1 || name.endsWith(".bias")) noDecay.put(name, p);
            else decay.put(name, p);
        });
        return List.of(new ParamGroup("no_decay", noDecay, 1, 0), new ParamGroup("decay", decay, 1, wd));
    }

    /**
     * MAE's layer-wise lr decay (spec §7): a group {@code layer_<id>_decay} or {@code layer_<id>_no_decay}
     * per layer id in order of first appearance, lrScale = layerDecay^(numLayers − id) with id from
     * {@link #layerId}; wd 0 for parameters with at most one axis and for {@code noDecayNames}.
     * {@code numLayers} is depth + 1 (13 for ViT-B).
     */
    public static List<ParamGroup> layerDecay(Module module, double wd, double layerDecay, int numLayers, Set<String> noDecayNames) {
        Map<String, Map<String, Parameter>> members = new LinkedHashMap<>();
        Map<String, double[]> settings = new LinkedHashMap<>(); // group → {lrScale, wd}
        double[] scales = layerScales(layerDecay, numLayers);
        module.trainableParameters().forEach((name, p) -> {
            boolean noDecay = p.shape().length <= 1 || noDecayNames.contains(name);
            int id = layerId(name, numLayers);
            String group = "layer_" + id + (noDecay ? "_no_decay" : "_decay");
            members.computeIfAbsent(group, k -> new LinkedHashMap<>()).put(name, p);
            settings.putIfAbsent(group, new double[] {scales[id], noDecay ? 0 : wd});
        });
        List<ParamGroup> out = new ArrayList<>();
        members.forEach((group, params) -> out.add(new ParamGroup(group, params, settings.get(group)[0], settings.get(group)[1])));
        return out;
    }

    /** 0 for cls_token, pos_embed and patch_embed.*; i+1 for blocks.i.*; numLayers for everything else. */
    public static int layerId(String name, int numLayers) {
        if (name.equals("cls_token") || name.equals("pos_embed") || name.startsWith("patch_embed.")) return 0;
        if (name.startsWith("blocks.")) {
            int start = "blocks.".length(), end = name.indexOf('.', start);
            String index = name.substring(start, end < 0 ? name.length() : end);
            int id;
            try {
                id = Integer.parseInt(index) + 1;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("layerId: parameter '" + name + "' has no block number after 'blocks.'");
            }
            if (id > numLayers)
                throw new IllegalArgumentException("layerId: parameter '" + name + "' is in layer " + id + " but numLayers is " + numLayers + " (use depth + 1)");
            return id;
        }
        return numLayers;
    }

    /** layerDecay^(numLayers − id) for id = 0..numLayers. */
    public static double[] layerScales(double layerDecay, int numLayers) {
        if (numLayers < 1) throw new IllegalArgumentException("layerScales: numLayers " + numLayers + " must be >= 1");
        if (!(layerDecay > 0 && layerDecay <= 1)) throw new IllegalArgumentException("layerScales: layer decay " + layerDecay + " must lie in (0, 1]");
        double[] out = new double[numLayers + 1];
        for (int id = 0; id <= numLayers; id++) out[id] = Math.pow(layerDecay, numLayers - id);
        return out;
    }
}
