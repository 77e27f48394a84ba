package dev.semaim.cli;

import dev.semaim.audit.SavedModel;
import dev.semaim.io.Convert;
import dev.semaim.nn.io.RawTensor;
import dev.semaim.train.PretrainOptions;
import dev.semaim.settings.Schema;
import dev.semaim.settings.ValueType;
import dev.semaim.tensor.Tensor;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code semaim convert <in> <out>}: between a PyTorch {@code .pth} checkpoint and safetensors, each side's format
 * following its file name ({@link Convert}). Dtypes are kept; the options pick what PyTorch users load: the weights
 * alone, plain or under 'model', or timm's ViT encoder.
 */
public final class ConvertCommand implements Command {
    /** The settings of one conversion. */
    static final class Options {
        String under;
        boolean weightsOnly;
        String to;
        Path configFrom;
        boolean configFromFlags;
        /** The model flags, for --config_from_flags. */
        final PretrainOptions arch = new PretrainOptions();
    }

    static final Schema<Options> SCHEMA = schema();

    private static Schema<Options> schema() {
        Schema<Options> s = new Schema<>("convert",
                "operands: <in.pth|in.safetensors> <out.pth|out.safetensors> (before, between or after the flags)\n"
                        + "Converts between a PyTorch torch.save checkpoint (.pth/.pt/.bin; its state dict: 'state_dict', else 'model',\n"
                        + "else the top level) and safetensors; each file's format follows its name. Every tensor keeps its dtype\n"
                        + "(float16, bfloat16, bool, int8, uint8 included). Names are kept verbatim unless --to timm. A semaim pretrain\n"
                        + "checkpoint gives its model weights only (the optimizer state is left out), as PyTorch's load_state_dict wants;\n"
                        + "its EMA copy (--use_ema_model, ema.*) becomes 'ema_state_dict' beside them in a .pth with --under, as the\n"
                        + "official checkpoints hold it, and is left out otherwise. A TorchScript archive (torch.jit.save) reads as its\n"
                        + "module's tensors under their attribute paths, without running its code.",
                Options::new);
        s.add("under", ValueType.oneOf(List.of("model", "state_dict")), null, "a .pth output nests the state dict under this key "
                + "(MAE/models_vit loaders read checkpoint['model']); unset: a plain state dict", o -> o.under, (o, v) -> o.under = v);
        s.add("weights_only", ValueType.toggle(), null, "leave out the optimizer state (optimizer.* tensors) of any input",
                o -> o.weightsOnly, (o, v) -> o.weightsOnly = v);
        s.add("to", ValueType.oneOf(List.of("timm", "timm_avg")), null, "only the ViT encoder, under the names timm's VisionTransformer and "
                + "models_vit load with strict=True (query stream, prediction head, blur and optimizer left out; 'module.' stripped; "
                + "SAIM's separate q/k/v fused into qkv). timm: final norm 'norm' (token pooling: timm's default, models_vit "
                + "without --global_pool); timm_avg: 'fc_norm' (timm global_pool='avg', models_vit --global_pool)", o -> o.to, (o, v) -> o.to = v);
        s.add("config_from", ValueType.path().metavar("FILE"), null, "a safetensors output gets the 'config' metadata (the AimViT "
                + "arguments) of FILE, a semaim checkpoint or weights with 'config', so visualize and audit read it without flags",
                o -> o.configFrom, (o, v) -> o.configFrom = v).excludes("config_from_flags");
        s.add("config_from_flags", ValueType.toggle(), null, "a safetensors output gets the 'config' metadata the model flags below describe",
                o -> o.configFromFlags, (o, v) -> o.configFromFlags = v);
        s.addFrom(PretrainOptions.SCHEMA, o -> o.arch, PretrainOptions.MODEL_FLAGS);
        return s;
    }

    @Override
    public String summary() {
        return "convert checkpoints between PyTorch .pth and safetensors (dtypes kept; weights only; timm encoder)";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        if (Schema.helpRequested(args)) {
            out.print(SCHEMA.help());
            return 0;
        }
        List<String> flags = new ArrayList<>();
        List<String> files = SCHEMA.splitOperands(args, flags);
        Options o;
        try {
            o = SCHEMA.parse(flags);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        if (files.size() != 2) {
            throw new UsageException("expected <in> <out>, got " + files.size() + " file argument(s) (see semaim convert --help)");
        }
        Path in = Path.of(files.get(0)), outFile = Path.of(files.get(1));
        if (!Files.isRegularFile(in)) {
            throw new UsageException("input " + in + " does not exist");
        }
        if (in.toAbsolutePath().normalize().equals(outFile.toAbsolutePath().normalize())) {
            throw new UsageException("input and output are the same file " + in);
        }
        for (Path p : List.of(in, outFile)) {
            if (!FileNames.endsWithAny(p, List.of(".safetensors", ".pth", ".pt", ".bin"))) {
                throw new UsageException("cannot tell the format of " + p.getFileName() + ": name it .safetensors or .pth/.pt/.bin");
            }
        }
        if (o.under != null && Convert.isSafetensors(outFile)) {
            throw new UsageException("--under applies to a .pth output only (" + outFile + " is safetensors)");
        }
        String config = null;
        if (o.configFrom != null || o.configFromFlags) {
            if (!Convert.isSafetensors(outFile)) {
                throw new UsageException("--config_from" + (o.configFromFlags ? "_flags" : "") + " applies to a safetensors output only");
            }
            if (o.to != null) {
                throw new UsageException("--to " + o.to + " writes the encoder alone; a 'config' describes the whole AimViT");
            }
            config = SavedModel.configJson(o.configFrom, o.arch);
        }
        Convert.Request request = new Convert.Request(o.weightsOnly, o.under,
                o.to == null ? null : o.to.equals("timm") ? Convert.Timm.TOKEN : Convert.Timm.AVG, config);
        Convert.Result r = config == null ? Convert.convert(in, outFile, request) : Convert.convert(in, outFile, request, fitting(in, config));
        String what = Convert.isSafetensors(outFile) ? "safetensors"
                : "torch.save state dict" + (o.under == null ? "" : " under '" + o.under + "'");
        out.println("wrote " + outFile + " (" + what + (o.to == null ? "" : ", " + o.to + " ViT encoder") + "): "
                + r.tensors() + " tensors" + r.droppedText() + (config == null ? "" : "; config " + config));
        return 0;
    }

    /**
     * The check that the converted weights of {@code in} load strictly into the model {@code config} describes (non-finite
     * values allowed: converting a diverged run is no reason to refuse). It runs before the write, so weights that do not
     * fit leave the output file as it was, an earlier good one included.
     */
    private static Consumer<Map<String, RawTensor>> fitting(Path in, String config) {
        return tensors -> {
            Map<String, Tensor> weights = new LinkedHashMap<>();
            tensors.forEach((name, t) -> weights.put(name, t.toTensor()));
            try {
                SavedModel.of(in, "converted", true, Map.of("config", config), weights);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(in + " does not fit the attached config, nothing written: " + e.getMessage(), e);
            }
        };
    }
}
