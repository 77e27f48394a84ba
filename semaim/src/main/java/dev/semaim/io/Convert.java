package dev.semaim.io;

import dev.semaim.nn.io.Safetensors;
import dev.semaim.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Checkpoint conversion between PyTorch {@code .pth} and safetensors (the CLI's {@code convert}). Tensor names
 * are kept verbatim (no "module." stripping: that is the loader's job, spec section 7).
 */
public final class Convert {
    /** Metadata written on .pth -> safetensors, the key Hugging Face's torch writer sets. */
    static final Map<String, String> METADATA = Map.of("format", "pt");

    private Convert() {
    }

    /**
     * The state dict of a {@code torch.save} checkpoint ({@code ['state_dict']}, else {@code ['model']}, else the
     * top level; see {@link TorchCheckpoint#stateDict}) as a safetensors file with metadata {"format": "pt"}.
     * Half/bfloat16 tensors become F32.
     */
    public static void pthToSafetensors(Path in, Path out) throws IOException {
        Map<String, Tensor> tensors = TorchCheckpoint.readStateDict(in);
        Safetensors.write(out, tensors, METADATA);
    }

    /** A safetensors file as a top-level state-dict {@code .pth} (safetensors metadata is not carried over). */
    public static void safetensorsToPth(Path in, Path out) throws IOException {
        safetensorsToPth(in, out, null);
    }

    /** As {@link #safetensorsToPth(Path, Path)}, nested under {@code underKey} ("model", "state_dict") when not null. */
    public static void safetensorsToPth(Path in, Path out, String underKey) throws IOException {
        TorchCheckpoint.write(out, Safetensors.read(in).tensors(), underKey);
    }
}
