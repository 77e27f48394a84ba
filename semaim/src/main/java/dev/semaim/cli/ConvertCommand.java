package dev.semaim.cli;

import dev.semaim.io.Convert;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code semaim convert <in> <out>}: a PyTorch {@code .pth} checkpoint's state dict to safetensors, or a
 * safetensors file to a state-dict {@code .pth} (optionally nested under {@code --under state_dict|model}).
 * The direction follows the input's extension.
 */
public final class ConvertCommand implements Command {
    private static final String USAGE = "usage: semaim convert <in.pth|in.safetensors> <out> [--under state_dict|model]\n"
            + "Converts a PyTorch checkpoint's state dict ('state_dict', else 'model', else the top level) to safetensors, or a\n"
            + "safetensors file to a torch.save .pth (top-level state dict, or nested under --under). Names are kept verbatim.\n";

    @Override
    public String summary() {
        return "convert checkpoints between PyTorch .pth and safetensors";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        if (args.contains("--help") || args.contains("-h")) {
            out.print(USAGE);
            return 0;
        }
        String under = null;
        List<String> files = new java.util.ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--under") || a.startsWith("--under=")) {
                under = a.contains("=") ? a.substring(a.indexOf('=') + 1) : i + 1 < args.size() ? args.get(++i) : null;
                if (!"state_dict".equals(under) && !"model".equals(under)) {
                    throw new UsageException("--under must be state_dict or model, got " + under);
                }
            } else if (a.startsWith("--")) {
                throw new UsageException("unknown flag " + a + " (see semaim convert --help)");
            } else {
                files.add(a);
            }
        }
        if (files.size() != 2) {
            throw new UsageException("expected <in> <out>, got " + files.size() + " file argument(s)\n" + USAGE.strip());
        }
        Path in = Path.of(files.get(0)), outFile = Path.of(files.get(1));
        if (!Files.isRegularFile(in)) {
            throw new UsageException("input " + in + " does not exist");
        }
        if (in.toAbsolutePath().normalize().equals(outFile.toAbsolutePath().normalize())) {
            throw new UsageException("input and output are the same file " + in);
        }
        String name = in.getFileName().toString();
        if (name.endsWith(".safetensors")) {
            Convert.safetensorsToPth(in, outFile, under);
            out.println("wrote " + outFile + " (torch.save state dict" + (under == null ? "" : " under '" + under + "'") + ")");
        } else if (name.endsWith(".pth") || name.endsWith(".pt") || name.endsWith(".bin")) {
            if (under != null) {
                throw new UsageException("--under applies to safetensors -> .pth only");
            }
            Convert.pthToSafetensors(in, outFile);
            out.println("wrote " + outFile + " (safetensors)");
        } else {
            throw new UsageException("cannot tell the direction from " + name + ": the input must end in .pth/.pt or .safetensors");
        }
        return 0;
    }
}
