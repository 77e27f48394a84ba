package dev.semaim.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * torchvision {@code ImageFolder}: {@code root/<class>/**.{jpg,jpeg,png}} (extension case-insensitive, files
 * found recursively, symbolic links to folders followed as {@code os.walk(followlinks=True)} does), classes =
 * sub-folder names in sorted order, class index = position in that order. Within a class the samples come in
 * torchvision's order, {@code for root, _, fnames in sorted(os.walk(class_dir)): for fname in sorted(fnames)}: by
 * folder path, then by file name within a folder, both as Python orders strings (by code point); so
 * {@code c/a-b.jpg, c/z.jpg, c/sub/a.jpg}, not the full-path order {@code c/a-b.jpg, c/sub/a.jpg, c/z.jpg}.
 *
 * <p>The layout is checked at construction so that a bad path fails before training: a missing root, a root
 * with no class sub-folders, or a class folder without images is an {@link IllegalArgumentException} naming the
 * path, and so is a symbolic link loop inside a class folder (torchvision would walk it until the path grew too
 * long). A file that fails to decode later is reported once to the warning sink, remembered, counted
 * ({@link #corruptCount()}) and replaced by the next readable sample (index + 1, wrapping), so batches stay full
 * and deterministic.
 */
public final class ImageFolderDataset implements Dataset {
    private static final Logger LOG = Logger.getLogger(ImageFolderDataset.class.getName());
    private static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png");

    private final Path root;
    private final List<String> classNames;
    private final List<Path> files;
    private final int[] labels;
    private final ImageDecoder decoder;
    private final Consumer<String> warnings;
    private final Set<Path> corrupt = ConcurrentHashMap.newKeySet();

    /** RGB decoding, warnings to java.util.logging. */
    public ImageFolderDataset(Path root) throws IOException {
        this(root, new ImageDecoder(), LOG::warning);
    }

    public ImageFolderDataset(Path root, ImageDecoder decoder, Consumer<String> warnings) throws IOException {
        this.root = root;
        this.decoder = decoder;
        this.warnings = warnings;
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("image folder " + root + (Files.exists(root) ? " is not a directory" : " does not exist"));
        }
        List<Path> classDirs;
        try (Stream<Path> s = Files.list(root)) {
            classDirs = s.filter(Files::isDirectory)
                    .sorted((a, b) -> pythonOrder(a.getFileName().toString(), b.getFileName().toString())).toList();
        }
        if (classDirs.isEmpty()) {
            throw new IllegalArgumentException("image folder " + root + " has no class sub-folders (expected root/<class>/<image>)");
        }
        List<String> names = new ArrayList<>();
        List<Path> paths = new ArrayList<>();
        List<Integer> labelList = new ArrayList<>();
        List<String> empty = new ArrayList<>();
        for (Path dir : classDirs) {
            List<Path> images = imagesOf(dir);
            if (images.isEmpty()) {
                empty.add(dir.toString());
            }
            for (Path p : images) {
                paths.add(p);
                labelList.add(names.size());
            }
            names.add(dir.getFileName().toString());
        }
        if (!empty.isEmpty()) {
            throw new IllegalArgumentException("image folder " + root + ": no .jpg/.jpeg/.png images in class folder(s) " + empty);
        }
        this.classNames = List.copyOf(names);
        this.files = List.copyOf(paths);
        this.labels = labelList.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The image files under class folder {@code dir}, links followed, in torchvision's order: by the path of the
     * folder holding the file, then by the file's name.
     */
    private List<Path> imagesOf(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir, FileVisitOption.FOLLOW_LINKS)) {
            return s.filter(p -> Files.isRegularFile(p) && isImageName(p))
                    .sorted(Comparator.comparing((Path p) -> p.getParent().toString(), ImageFolderDataset::pythonOrder)
                            .thenComparing(p -> p.getFileName().toString(), ImageFolderDataset::pythonOrder))
                    .toList();
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof FileSystemLoopException loop) {
                throw new IllegalArgumentException("image folder " + root + ": class folder " + dir
                        + " holds a symbolic link loop: " + loop.getFile() + " leads back to a folder above it", e);
            }
            throw e.getCause();
        }
    }

    /**
     * Python's {@code str} order: code point by code point, a prefix first. ({@link String#compareTo} compares
     * UTF-16 units, which puts characters above U+FFFF before U+E000..U+FFFF.)
     */
    static int pythonOrder(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i), cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }

    private static boolean isImageName(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot >= 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    @Override
    public int size() {
        return files.size();
    }

    @Override
    public Sample get(int index) {
        for (int tries = 0, i = index; tries < files.size(); tries++, i = (i + 1) % files.size()) {
            Path file = files.get(i);
            if (corrupt.contains(file)) {
                continue;
            }
            try {
                return new Sample(decoder.decode(file), labels[i]);
            } catch (IOException | RuntimeException e) {
                if (corrupt.add(file)) {
                    warnings.accept("skipping unreadable image " + file + ": " + e.getMessage());
                }
            }
        }
        throw new IllegalStateException("image folder " + root + ": no readable image left (" + corrupt.size() + " corrupt)");
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    public Path root() {
        return root;
    }

    /** Path of sample {@code index}. */
    public Path file(int index) {
        return files.get(index);
    }

    public int label(int index) {
        return labels[index];
    }

    /** Number of distinct files found corrupt so far (each skipped and warned about once). */
    public int corruptCount() {
        return corrupt.size();
    }

    public Set<Path> corruptFiles() {
        return Set.copyOf(corrupt);
    }
}
