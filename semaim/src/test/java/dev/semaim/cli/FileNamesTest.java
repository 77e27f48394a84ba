package dev.semaim.cli;

import dev.semaim.io.Convert;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileNamesTest {
    /** An extension in any case names the format (curves.PNG was refused as "not ending in .png"). */
    @Test
    void extensionsMatchInAnyCase() {
        assertTrue(FileNames.endsWithAny(Path.of("runs/curves.PNG"), List.of(".png")));
        assertTrue(FileNames.endsWithAny(Path.of("a.SafeTensors"), List.of(".safetensors", ".pth")));
        assertFalse(FileNames.endsWithAny(Path.of("a.jpg"), List.of(".png")));
        assertTrue(Convert.isSafetensors(Path.of("x.SAFETENSORS")), "convert writes what the check let through as safetensors");
        assertFalse(Convert.isSafetensors(Path.of("x.pth")));
    }
}
