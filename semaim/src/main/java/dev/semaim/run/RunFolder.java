package dev.semaim.run;

import dev.semaim.nn.io.AtomicFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The folders a run writes to (--output_dir, and --log_dir when it differs), held for the whole run: each is
 * created, proven writable with a probe file, locked against other runs, and cleared of the temporary files
 * that killed writes of ours ({@link AtomicFile}) left behind, all before the run reads a checkpoint or takes a
 * step. Pre-training, fine-tuning, linear probing and k-NN open one; closing it releases the locks.
 *
 * <p>The lock is an OS lock ({@link FileChannel#tryLock}) on {@value #LOCK_FILE} in the folder, which the OS
 * drops when the process dies, however it dies. The file records who holds it (pid, host, since when), for the
 * message a second run gets, and is emptied, never deleted, at a clean end: deleting a lock file while holding it
 * lets a third run lock a new file while a second still locks the old one. So a record found under a free lock
 * is one a killed run left; a process of that pid on this host started at that run's JVM start means the file
 * system did not honour the lock (some network file systems), and the folder counts as in use; a record from
 * another host cannot be checked, and the user is told which file to delete.
 *
 * <p>A folder the run created and left holding nothing but its lock file (the run failed before writing, e.g. on
 * a bad --data_path) is removed again at close, with the parents it created, so that a mistake leaves no trace.
 */
public final class RunFolder implements AutoCloseable {
    /** The lock file in every folder a run writes to. */
    public static final String LOCK_FILE = ".semaim.lock";
    private static final String PROBE = "semaim-write-probe";
    /**
     * Folders locked by this JVM. A second lock attempt from the same JVM must not even open the lock file: on
     * Linux (POSIX locks) closing any channel of a file drops every lock the process holds on it.
     */
    private static final Set<Path> LOCKED_HERE = ConcurrentHashMap.newKeySet();

    /** One locked folder: its role in messages ("output folder"), its lock file and the lock. */
    private record Held(String role, Path dir, FileChannel channel, FileLock lock) {
    }

    private final Path outputDir;
    private final List<Held> held = new ArrayList<>();
    /** Per folder this run created: the topmost folder it had to create for it. */
    private final Map<Path, Path> created = new LinkedHashMap<>();
    private final Thread clearOnExit;
    private boolean closed;

    private RunFolder(Path outputDir) {
        this.outputDir = outputDir;
        // an exit that skips close() (a signal outside the training loop, System.exit) still leaves no record
        // behind; registered before the first record is written
        this.clearOnExit = new Thread(this::clearRecords, "semaim-run-folder-unlock");
        Runtime.getRuntime().addShutdownHook(clearOnExit);
    }

    /**
     * Opens the run's folders: {@code outputDir} (flag --output_dir) and {@code logDir} (flag --log_dir; null =
     * the output folder). Each is created, probed, locked and cleaned; notes (a lock taken over, temporary files
     * removed) go to {@code notes}, one line each (a run passes its progress line's {@code note}: stderr).
     *
     * @throws IllegalArgumentException naming the flag and folder when a folder cannot be created or written
     * @throws IllegalStateException    naming the folder and the holder's process when another run holds one
     */
    public static RunFolder open(Path outputDir, Path logDir, Consumer<String> notes) {
        Map<Path, String> folders = new LinkedHashMap<>();
        folders.put(normalized(outputDir), "--output_dir");
        if (logDir != null) {
            folders.putIfAbsent(normalized(logDir), "--log_dir");
        }
        Map<Path, Path> created = new LinkedHashMap<>();
        for (Path dir : folders.keySet()) {
            Path top = topmostMissing(dir);
            if (top != null) {
                created.put(dir, top);
            }
        }
        try {
            for (Map.Entry<Path, String> f : folders.entrySet()) { // every folder is checked before any is locked
                probe(f.getValue(), f.getKey());
            }
        } catch (IllegalArgumentException e) {
            // a folder probed before the one that failed was created by its probe: a failed start leaves none behind
            created.forEach(RunFolder::removeCreated);
            throw e;
        }
        RunFolder run = new RunFolder(outputDir);
        run.created.putAll(created);
        try {
            for (Map.Entry<Path, String> f : folders.entrySet()) {
                run.lock(f.getValue().equals("--output_dir") ? "output folder" : "log folder", f.getKey(), notes);
            }
            for (Held h : run.held) {
                removeStaleTemporaries(h.dir(), notes);
            }
        } catch (RuntimeException e) {
            run.close();
            throw e;
        }
        return run;
    }

    public Path outputDir() {
        return outputDir;
    }

    /** Empties the lock records and releases the locks. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = held.size() - 1; i >= 0; i--) { // a log folder inside the output folder first
            Held h = held.get(i);
            Path top = created.get(h.dir());
            if (top != null && onlyTheLockFile(h.dir())) {
                removeEmpty(h, top); // while still locked: no other run can be starting in it meanwhile
            }
        }
        held.forEach(RunFolder::release);
        try {
            Runtime.getRuntime().removeShutdownHook(clearOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs or has run: nothing to remove
        }
    }

    private static Path normalized(Path p) {
        return p.toAbsolutePath().normalize();
    }

    /** The topmost folder of {@code dir} and its parents that does not exist (null when {@code dir} exists). */
    private static Path topmostMissing(Path dir) {
        Path top = null;
        for (Path p = dir; p != null && !Files.exists(p); p = p.getParent()) {
            top = p;
        }
        return top;
    }

    private static boolean onlyTheLockFile(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.allMatch(p -> p.getFileName().toString().equals(LOCK_FILE));
        } catch (IOException e) {
            return false;
        }
    }

    /** Deletes the lock file of {@code h}, then its folder and the empty parents up to {@code top}, which this run created. */
    private static void removeEmpty(Held h, Path top) {
        try {
            Files.deleteIfExists(h.dir().resolve(LOCK_FILE));
        } catch (IOException stop) {
            return; // left as it is: harmless
        }
        removeCreated(h.dir(), top);
    }

    /** Deletes {@code dir} and its parents up to {@code top}, which this run created, as far as they are empty (or absent). */
    private static void removeCreated(Path dir, Path top) {
        try {
            for (Path p = dir; p != null && p.startsWith(top); p = p.getParent()) {
                Files.deleteIfExists(p); // a folder that is not empty (another folder of the run inside) stops the walk
            }
        } catch (IOException stop) {
            // left as it is: harmless
        }
    }

    /** Creates {@code dir} and writes and deletes a probe file there; a failure names the flag and the folder. */
    static void probe(String flag, Path dir) {
        Path probe = dir.resolve(AtomicFile.temporaryName(PROBE)); // the temporary pattern: a kill mid-probe is cleaned up next time
        try {
            Files.createDirectories(dir);
            Files.write(probe, new byte[] {1}, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.delete(probe);
        } catch (IOException e) {
            throw new IllegalArgumentException(flag + " " + dir + " is not a writable folder: " + reason(e));
        }
    }

    private static String reason(IOException e) {
        if (e instanceof FileAlreadyExistsException f) {
            return f.getFile() + " exists and is not a folder";
        }
        if (e instanceof AccessDeniedException a) {
            return "permission denied on " + a.getFile();
        }
        if (e instanceof NoSuchFileException n) {
            return "cannot create " + n.getFile();
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason() + " (" + f.getFile() + ")";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Locks {@code dir} and records this process in its lock file (joining {@link #held} before the record is written). */
    private synchronized void lock(String role, Path dir, Consumer<String> notes) {
        Path file = dir.resolve(LOCK_FILE);
        if (!LOCKED_HERE.add(dir)) {
            throw new IllegalStateException(role + " " + dir + " is in use by " + Holder.current().describe().replaceFirst(" since .*", "")
                    + " (this process, another run)");
        }
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException sameJvm) {
                lock = null; // another run in this JVM holds it
            }
            Optional<Holder> previous = Holder.parse(read(ch));
            if (lock == null) {
                throw new IllegalStateException(role + " " + dir + " is in use by "
                        + previous.map(Holder::describe).orElse("another process (which has not recorded itself yet)"));
            }
            if (previous.isPresent()) {
                Holder p = previous.get();
                if (!p.host().equals(Holder.thisHost())) {
                    throw new IllegalStateException(role + " " + dir + " was locked by " + p.describe()
                            + ", which cannot be checked from here; delete " + file + " if that run has ended");
                }
                if (p.isRunning()) {
                    throw new IllegalStateException(role + " " + dir + " is in use by " + p.describe()
                            + " (the file system did not enforce its lock on " + file + ")");
                }
                notes.accept(role + " " + dir + ": taking over the lock left by process " + p.pid()
                        + " (since " + p.since() + "), which is no longer running");
            }
            byte[] record = Holder.current().format().getBytes(StandardCharsets.UTF_8);
            held.add(new Held(role, dir, ch, lock));
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(record), 0);
            ch.force(true);
        } catch (IOException e) {
            close(ch);
            LOCKED_HERE.remove(dir);
            throw new UncheckedIOException("cannot lock " + role + " " + dir + " (" + file + "): " + reason(e), e);
        } catch (RuntimeException e) {
            close(ch);
            LOCKED_HERE.remove(dir);
            throw e;
        }
    }

    private static String read(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(ch.size(), 4096));
        while (b.hasRemaining() && ch.read(b, b.position()) > 0) {
            // the record is a few dozen bytes
        }
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    }

    /** Deletes the temporary files of killed atomic writes in {@code dir}; one note with their count and size. */
    static void removeStaleTemporaries(Path dir, Consumer<String> notes) {
        long count = 0, bytes = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (AtomicFile.isTemporary(p.getFileName().toString()) && Files.isRegularFile(p)) {
                    long size = Files.size(p);
                    if (Files.deleteIfExists(p)) {
                        count++;
                        bytes += size;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean up " + dir + ": " + reason(e), e);
        }
        if (count > 0) {
            notes.accept(String.format(Locale.ROOT, "removed %d temporary file%s of interrupted writes (%s) from %s",
                    count, count == 1 ? "" : "s", size(bytes), dir));
        }
    }

    private static String size(long bytes) {
        return bytes < 1 << 20 ? bytes + " bytes" : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    private synchronized void clearRecords() {
        for (Held h : held) {
            try {
                h.channel().truncate(0);
            } catch (IOException | RuntimeException ignored) {
                // closed already, or the disk is gone: the OS lock still goes with the process
            }
        }
    }

    /** Empties the record and releases the lock (closing the channel releases it). */
    private static void release(Held h) {
        try {
            h.channel().truncate(0);
        } catch (IOException | RuntimeException ignored) {
            // closed already (close() emptied it), or the disk is gone: the lock goes with the channel either way
        }
        close(h.channel());
        LOCKED_HERE.remove(h.dir());
    }

    private static void close(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // the lock goes with the channel either way
            }
        }
    }

    /** Who holds a lock: the record in the lock file. */
    record Holder(long pid, String host, Instant since, Instant jvmStart) {
        static Holder current() {
            ProcessHandle self = ProcessHandle.current();
            return new Holder(self.pid(), thisHost(), Instant.now().truncatedTo(ChronoUnit.SECONDS),
                    self.info().startInstant().orElse(null));
        }

        /** The host name without a DNS look-up (which can hang for seconds in containers). */
        static String thisHost() {
            try {
                String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
                if (!h.isEmpty()) {
                    return h;
                }
            } catch (IOException | RuntimeException notLinux) {
                // fall through
            }
            String env = System.getenv(System.getProperty("os.name", "").startsWith("Windows") ? "COMPUTERNAME" : "HOSTNAME");
            if (env != null && !env.isBlank()) {
                return env;
            }
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                return "unknown";
            }
        }

        String format() {
            return "pid=" + pid + "\nhost=" + host + "\nsince=" + since + "\njvm_start=" + (jvmStart == null ? "" : jvmStart) + "\n";
        }

        /** The record in {@code text}; empty when there is none (a lock file emptied at a clean end) or it is unreadable. */
        static Optional<Holder> parse(String text) {
            Map<String, String> m = new LinkedHashMap<>();
            for (String line : text.split("\n")) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    m.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
                }
            }
            try {
                String js = m.getOrDefault("jvm_start", "");
                return Optional.of(new Holder(Long.parseLong(m.get("pid")), m.getOrDefault("host", "unknown"),
                        Instant.parse(m.get("since")), js.isEmpty() ? null : Instant.parse(js)));
            } catch (RuntimeException unreadable) {
                return Optional.empty();
            }
        }

        /** Whether process {@code pid} of this host is the one that wrote the record (not a later one given the same pid). */
        boolean isRunning() {
            Optional<ProcessHandle> p = ProcessHandle.of(pid);
            if (p.isEmpty() || !p.get().isAlive()) {
                return false;
            }
            Optional<Instant> started = p.get().info().startInstant();
            return jvmStart == null || started.isEmpty()
                    || Duration.between(jvmStart, started.get()).abs().compareTo(Duration.ofSeconds(1)) <= 0;
        }

        String describe() {
            return "process " + pid + " on host " + host + " since " + since;
        }
    }
}
