package dev.semaim.tests.audit;

import dev.semaim.audit.StepAudit;
import dev.semaim.cli.Main;
import dev.semaim.model.AimConfig;
import dev.semaim.model.AimViT;
import dev.semaim.model.AttentionType;
import dev.semaim.model.LossType;
import dev.semaim.model.OrderType;
import dev.semaim.model.Orders;
import dev.semaim.model.PredictionHeadType;
import dev.semaim.nn.io.Safetensors;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import dev.semaim.tests.parity.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code semaim audit} on the tiny model of golden/tiny_model.safetensors (its weights, input and noise) matches
 * PyTorch's intermediates tensor by tensor: every golden tensor of the variant except the weights must be in the
 * dump and agree (values 1e-5 relative + 5e-6 absolute, gradients 1e-5 + 1e-6, priorities, masks and argmax exactly:
 * the tolerances of the parity test TinyModelParityTest).
 */
class AuditGoldenTest {
    static final Path FIXTURE = Golden.DIR.resolve("tiny_model.safetensors");
    static final Golden G = Golden.load("tiny_model.safetensors");

    @Test
    void cliDumpMatchesTheMainFixture(@TempDir Path dir) {
        Path out = dir.resolve("audit.safetensors");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream(), stderr = new ByteArrayOutputStream();
        int rc = Main.run(new String[] {"audit", "--checkpoint", FIXTURE.toString(), "--images", FIXTURE.toString(),
                "--noise", FIXTURE.toString(), "--out", out.toString(), "--json"}, new PrintStream(stdout), new PrintStream(stderr));
        assertEquals(0, rc, stderr.toString(StandardCharsets.UTF_8));
        Map<String, Tensor> dump = Safetensors.read(out).tensors();
        int compared = compare("", dump);
        assertEquals(15 + 89, compared, "tensors compared: 15 intermediates, 89 gradients");
        for (int i = 0; i < 4; i++) assertNotNull(dump.get("blocks." + i + ".h"));
        for (int j = 0; j < 2; j++) assertNotNull(dump.get("query_blocks." + j + ".g"));
        String json = stdout.toString(StandardCharsets.UTF_8);
        assertTrue(json.startsWith("{\"loss\": " + dump.get("loss").item()), json);
        // image 0's order starts at the argmax patch
        assertTrue(json.contains("\"order\": [[" + G.get("order.argmax").toLongArray()[0] + ", "), json);
    }

    @Test
    void apiDumpMatchesVar2(@TempDir Path dir) {
        AimConfig c = AimConfig.builder().imgSize(16).patchSize(4).embedDim(32).depth(4).numHeads(2).queryDepth(2)
                .predictionHead(PredictionHeadType.LINEAR).gaussianKernelSize(5).normPixLoss(false).lossType(LossType.L1)
                .permutationType(OrderType.STOCHASTIC).attentionType(AttentionType.GAP).build();
        AimViT model = new AimViT(c, new Rng(0));
        G.loadInto(model, "var2.param.");
        Map<String, Tensor> dump = StepAudit.run(model, G.get("var2.input"), null, new Orders.Noise(G.get("var2.noise"), null));
        assertEquals(15 + 87, compare("var2.", dump));
    }

    /** Compares every golden tensor of the variant (but the weights) with the dump; returns how many. */
    private static int compare(String p, Map<String, Tensor> dump) {
        int n = 0;
        for (Map.Entry<String, Tensor> e : G.tensors.entrySet()) {
            String key = e.getKey();
            if (!key.startsWith(p) || key.startsWith(p + "param.") || (p.isEmpty() && key.startsWith("var2."))) continue;
            String name = key.substring(p.length());
            Tensor actual = dump.get(name);
            assertNotNull(actual, "audit dump has no '" + name + "'");
            boolean exact = name.equals("priority") || name.startsWith("mask_") || name.equals("order.argmax") || name.equals("input") || name.equals("noise");
            boolean grad = name.startsWith("grad.");
            Golden.assertClose(key, e.getValue(), actual, exact ? 0 : 1e-5, exact ? 0 : grad ? 1e-6 : 5e-6);
            n++;
        }
        return n;
    }
}
