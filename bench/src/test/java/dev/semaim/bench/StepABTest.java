package dev.semaim.bench;

import dev.semaim.autograd.Var;
import dev.semaim.model.AimViT;
import dev.semaim.nn.Module;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotSame;

/**
 * What scripts/step-ab.sh relies on: a build's {@code CpuBench.trainStep} loads in a class loader of its own from
 * the class folders of the engine modules and this one alone (scripts/bench-classpath.sh adds no third-party jar).
 */
class StepABTest {
    @Test
    void trainStepLoadsFromTheModulesClassFoldersAlone() throws Exception {
        List<String> folders = new ArrayList<>();
        for (Class<?> c : List.of(Tensor.class, Var.class, Module.class, AimViT.class, CpuBench.class)) folders.add(location(c));
        for (String config : List.of("vit-t1", "aim-t1")) {
            Runnable step = StepAB.load(String.join(":", folders), config);
            assertNotSame(CpuBench.class.getClassLoader(), step.getClass().getClassLoader(), config);
        }
    }

    private static String location(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
