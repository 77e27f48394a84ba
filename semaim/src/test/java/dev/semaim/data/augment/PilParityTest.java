package dev.semaim.data.augment;

import dev.semaim.data.Image;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every RandAugment op, bit-exact against PIL 9.4 on two random images (an RGB 24x20 and a grey 23x17);
 * the cases and outputs come from scripts/torch/make_randaugment_fixtures.py.
 */
class PilParityTest {
    private static final float[] FILL = {124, 116, 104};

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = PilParityTest.class.getResourceAsStream("/dev/semaim/data/augment/" + name)) {
            if (in == null) throw new IllegalStateException("missing test resource " + name);
            return in.readAllBytes();
        }
    }

    private static Image image(byte[] b, int offset, int c, int h, int w) {
        float[] d = new float[c * h * w];
        for (int i = 0; i < d.length; i++) d[i] = b[offset + i] & 0xff;
        return new Image(d, c, h, w, true);
    }

    @Test
    void everyOpMatchesPil() throws IOException {
        Image rgb = image(resource("pil_ops_input_rgb.bin"), 0, 3, 24, 20);
        Image grey = image(resource("pil_ops_input_l.bin"), 0, 1, 23, 17);
        byte[] expected = resource("pil_ops.bin");
        List<String> failures = new ArrayList<>();
        int cases = 0;
        for (String line : new String(resource("pil_ops.txt"), StandardCharsets.US_ASCII).split("\n")) {
            if (line.isBlank()) continue;
            String[] f = line.trim().split(" ");
            Image in = f[0].equals("rgb") ? rgb : grey;
            String[] args = Arrays.copyOfRange(f, 2, f.length - 1);
            Image out = run(in, f[1], args);
            Image want = image(expected, Integer.parseInt(f[f.length - 1]), in.channels(), in.height(), in.width());
            int wrong = 0;
            float worst = 0;
            for (int i = 0; i < want.data().length; i++) {
                float d = Math.abs(out.data()[i] - want.data()[i]);
                if (d != 0) wrong++;
                worst = Math.max(worst, d);
            }
            if (wrong > 0) failures.add(line + ": " + wrong + " pixels differ, largest by " + worst);
            cases++;
        }
        assertEquals(120, cases);
        assertTrue(failures.isEmpty(), failures.size() + " of " + cases + " cases differ from PIL:\n" + String.join("\n", failures));
    }

    private static Image run(Image in, String op, String[] a) {
        float[] fill = in.channels() == 1 ? new float[] {FILL[0]} : FILL;
        return switch (op) {
            case "autocontrast" -> PointOps.autoContrast(in);
            case "equalize" -> PointOps.equalize(in);
            case "invert" -> PointOps.invert(in);
            case "posterize" -> PointOps.posterize(in, Integer.parseInt(a[0]));
            case "solarize" -> PointOps.solarize(in, Integer.parseInt(a[0]));
            case "solarize_add" -> PointOps.solarizeAdd(in, Integer.parseInt(a[0]), 128);
            case "color" -> Enhance.color(in, Double.parseDouble(a[0]));
            case "contrast" -> Enhance.contrast(in, Double.parseDouble(a[0]));
            case "brightness" -> Enhance.brightness(in, Double.parseDouble(a[0]));
            case "sharpness" -> Enhance.sharpness(in, Double.parseDouble(a[0]));
            case "rotate" -> AffineWarp.rotate(in, Double.parseDouble(a[0]), interp(a[1]), fill);
            case "affine" -> {
                double[] m = new double[6];
                for (int i = 0; i < 6; i++) m[i] = Double.parseDouble(a[i + 1]);
                yield AffineWarp.transform(in, m, interp(a[0]), fill);
            }
            default -> throw new IllegalArgumentException("unknown op " + op);
        };
    }

    private static Interpolation interp(String s) {
        return s.equals("bilinear") ? Interpolation.BILINEAR : Interpolation.BICUBIC;
    }
}
