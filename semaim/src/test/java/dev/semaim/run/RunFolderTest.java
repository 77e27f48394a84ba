package dev.semaim.run;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The run's folders in one process: write probes, stale temporary files, lock records left by dead processes,
 * and a second run in the same JVM. Two runs in two processes, and signals, are in the CLI's
 * {@code RunFolderCommandsTest}.
 */
class RunFolderTest {
    @TempDir
    Path dir;

    private final List<String> notes = new ArrayList<>();

    @Test
    void anOutputFolderThatCannotBeCreatedFailsNamingFlagAndFolder() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        Path out = file.resolve("sub"); // even root cannot make a folder under a regular file
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunFolder.open(out, null, notes::add));
        assertTrue(e.getMessage().startsWith("--output_dir " + out + " is not a writable folder: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void everyFolderIsProbedBeforeAnyIsLocked() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        Path out = dir.resolve("out");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunFolder.open(out, file.resolve("logs"), notes::add));
        assertTrue(e.getMessage().startsWith("--log_dir " + file.resolve("logs") + " is not a writable folder: "), e.getMessage());
        assertFalse(Files.exists(out), "the output folder its probe created is removed again: a failed start leaves no folder behind");
        try (RunFolder f = RunFolder.open(out, null, notes::add)) {
            assertEquals(out, f.outputDir());
            assertEquals(List.of(), List.of(out.toFile().list((d, n) -> n.endsWith(".tmp"))), "the probe file is gone");
        }
    }

    @Test
    void staleTemporaryFilesOfOurPatternAreRemovedAndCounted() throws IOException {
        Files.write(dir.resolve(".checkpoint-latest.safetensors.1x9kq2v0zd.tmp"), new byte[1000]);
        Files.write(dir.resolve(".results.json.abc.tmp"), new byte[24]);
        Path theirs = Files.writeString(dir.resolve("notes.tmp"), "a user's file");
        Path hidden = Files.writeString(dir.resolve(".hidden.tmp"), "not ours either");
        Files.createDirectory(dir.resolve(".folder.abc.tmp"));
        try (RunFolder f = RunFolder.open(dir, null, notes::add)) {
            assertEquals(List.of("removed 2 temporary files of interrupted writes (1024 bytes) from " + dir), notes);
        }
        assertTrue(Files.exists(theirs) && Files.exists(hidden) && Files.isDirectory(dir.resolve(".folder.abc.tmp")));
        assertFalse(Files.exists(dir.resolve(".checkpoint-latest.safetensors.1x9kq2v0zd.tmp")));
    }

    @Test
    void aLockLeftByADeadProcessIsTakenOverWithANote() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(dir.resolve(RunFolder.LOCK_FILE), new RunFolder.Holder(gone.pid(), RunFolder.Holder.thisHost(),
                Instant.parse("2026-01-02T03:04:05Z"), Instant.parse("2026-01-02T03:04:04Z")).format());
        try (RunFolder f = RunFolder.open(dir, null, notes::add)) {
            assertEquals(List.of("output folder " + dir + ": taking over the lock left by process " + gone.pid()
                    + " (since 2026-01-02T03:04:05Z), which is no longer running"), notes);
            String record = Files.readString(dir.resolve(RunFolder.LOCK_FILE));
            assertTrue(record.startsWith("pid=" + ProcessHandle.current().pid() + "\nhost="), record);
        }
        assertEquals(0, Files.size(dir.resolve(RunFolder.LOCK_FILE)), "a clean end empties the record");
        notes.clear();
        try (RunFolder again = RunFolder.open(dir, null, notes::add)) {
            assertEquals(List.of(), notes, "an emptied record is no stale lock");
        }
    }

    /** A record of a live process under a free lock: the file system did not enforce the lock (NFS); refuse. */
    @Test
    void aRecordOfALiveProcessIsRefusedEvenWhenTheLockIsFree() throws IOException {
        RunFolder.Holder self = RunFolder.Holder.current();
        Files.writeString(dir.resolve(RunFolder.LOCK_FILE), self.format());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> RunFolder.open(dir, null, notes::add));
        assertEquals("output folder " + dir + " is in use by " + self.describe() + " (the file system did not enforce its lock on "
                + dir.resolve(RunFolder.LOCK_FILE) + ")", e.getMessage());
    }

    @Test
    void aRecordFromAnotherHostIsRefusedNamingTheLockFile() throws IOException {
        Files.writeString(dir.resolve(RunFolder.LOCK_FILE), "pid=42\nhost=elsewhere.example\nsince=2026-01-02T03:04:05Z\njvm_start=\n");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> RunFolder.open(dir, null, notes::add));
        assertEquals("output folder " + dir + " was locked by process 42 on host elsewhere.example since 2026-01-02T03:04:05Z, which"
                + " cannot be checked from here; delete " + dir.resolve(RunFolder.LOCK_FILE) + " if that run has ended", e.getMessage());
    }

    @Test
    void aSecondRunInThisProcessIsRefusedAndTheFolderIsFreeAfterClose() {
        try (RunFolder first = RunFolder.open(dir, null, notes::add)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> RunFolder.open(dir.resolve("."), null, notes::add));
            assertTrue(e.getMessage().startsWith("output folder " + dir + " is in use by process " + ProcessHandle.current().pid()),
                    e.getMessage());
            // the log folder of another run is locked as well: a shared log.txt would interleave
            assertThrows(IllegalStateException.class, () -> RunFolder.open(dir.resolve("other"), dir, notes::add));
            try (RunFolder other = RunFolder.open(dir.resolve("other"), null, notes::add)) {
                assertEquals(List.of(), notes, "a failed open leaves no record in what it had locked");
            }
        }
        try (RunFolder again = RunFolder.open(dir, null, notes::add)) {
            assertEquals(List.of(), notes);
        }
    }

    /** A run that fails before writing anything (a bad --data_path) leaves no folder behind that it created. */
    @Test
    void foldersTheRunCreatedAndLeftEmptyAreRemovedAtClose() throws IOException {
        Path out = dir.resolve("new/out"), logs = dir.resolve("new/out/logs");
        try (RunFolder f = RunFolder.open(out, logs, notes::add)) {
            assertTrue(Files.isDirectory(logs));
        }
        assertFalse(Files.exists(dir.resolve("new")), "nothing written: nothing left");
        try (RunFolder f = RunFolder.open(out, null, notes::add)) {
            Files.writeString(out.resolve("log.txt"), "{}");
        }
        assertEquals(Set.of("log.txt", RunFolder.LOCK_FILE), Set.of(out.toFile().list()), "a folder with output stays");
    }
}
