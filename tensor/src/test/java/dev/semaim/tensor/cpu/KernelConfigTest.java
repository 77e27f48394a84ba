package dev.semaim.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import jdk.incubator.vector.VectorShape;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link KernelConfig}: the width asked for is the one the kernels run (the surefire executions of this module rerun
 * the kernel tests at 256 and 128 bits), cache sizes come from sysfs, blocks fit both register tiles.
 */
class KernelConfigTest {
    @Test
    void vectorWidthIsTheOneAskedForOrThePreferred() {
        String asked = System.getProperty("semaim.cpu.vectorBits");
        int preferred = VectorShape.preferredShape().vectorBitSize();
        int expected = asked == null ? preferred : Math.min(Integer.parseInt(asked), preferred);
        assertEquals(expected, KernelConfig.SPECIES.vectorBitSize(), KernelConfig.describe());
        assertEquals(expected / 32, KernelConfig.LANES);
        String tile = System.getProperty("semaim.gemm.tile", "auto");
        assertEquals(tile, KernelConfig.TILE);
        boolean auto = tile.equals("auto");
        assertEquals(tile.equals("6x3") || (auto && KernelConfig.REGISTERS >= 32), KernelConfig.WIDE_TILE);
        assertEquals(tile.equals("6x2") || (auto && KernelConfig.REGISTERS >= 32), KernelConfig.NARROW_TILE);
        assertEquals(tile.equals("5x2") || (auto && KernelConfig.REGISTERS < 32), KernelConfig.PACKED_TILE);
    }

    @Test
    void blocksAreWholeTiles() {
        assertEquals(0, KernelConfig.MC % 24, "MC " + KernelConfig.MC);
        assertEquals(0, KernelConfig.NC % (6 * KernelConfig.LANES), "NC " + KernelConfig.NC);
        assertTrue(KernelConfig.KC > 0);
    }

    @Test
    void describeNamesTheCpuAndTheChoices() {
        String d = KernelConfig.describe();
        assertTrue(d.startsWith("cpu "), d);
        assertTrue(d.contains(KernelConfig.SPECIES.vectorBitSize() + " bit"), d);
        assertTrue(d.contains("KC " + KernelConfig.KC + ", MC " + KernelConfig.MC + ", NC " + KernelConfig.NC), d);
    }

    @Test
    void cacheSizesFromSysfs(@TempDir Path dir) throws IOException {
        index(dir, 0, 1, "Data", "48K");
        index(dir, 1, 1, "Instruction", "32K");
        index(dir, 2, 2, "Unified", "2048K");
        index(dir, 3, 3, "Unified", "96M");
        KernelConfig.CacheSizes c = KernelConfig.CacheSizes.read(dir);
        assertEquals(48L << 10, c.l1d);
        assertEquals(2L << 20, c.l2);
        assertEquals(96L << 20, c.l3);
        // nothing there: Zen 4's sizes
        KernelConfig.CacheSizes none = KernelConfig.CacheSizes.read(dir.resolve("absent"));
        assertEquals(32L << 10, none.l1d);
        assertEquals(1L << 20, none.l2);
        assertEquals(32L << 20, none.l3);
        assertEquals(1536, KernelConfig.CacheSizes.parseSize("1536"));
    }

    private static void index(Path dir, int i, int level, String type, String size) throws IOException {
        Path d = Files.createDirectories(dir.resolve("index" + i));
        Files.writeString(d.resolve("level"), level + "\n");
        Files.writeString(d.resolve("type"), type + "\n");
        Files.writeString(d.resolve("size"), size + "\n");
    }
}
