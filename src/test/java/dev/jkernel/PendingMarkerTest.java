package dev.jkernel;

import dev.jkernel.guest.GuestPrograms;
import dev.jkernel.guest.GuestPrograms.Program;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The guest harness's .pending markers: a failing pending test is skipped, a passing one fails. */
class PendingMarkerTest {
    @TempDir
    Path dir;

    private Program program(String name) {
        return new Program("tests", name, dir.resolve(name + ".c"), dir.resolve(name), List.of());
    }

    @Test
    void readsTheReasonFromTheMarker() throws Exception {
        Files.writeString(dir.resolve("sig_x.pending"), "signals: issue 4\n");
        assertEquals("signals: issue 4", GuestPrograms.pendingReason(program("sig_x")));
        assertNull(GuestPrograms.pendingReason(program("other")));
    }

    @Test
    void aFailingPendingTestIsSkippedWithTheReason() {
        TestAbortedException e = assertThrows(TestAbortedException.class, () -> GuestProgramsTest.unlessPending(
                program("sig_x"), "signals: issue 4", () -> {
                    throw new AssertionFailedError("stdout differs\nline 2");
                }));
        assertTrue(e.getMessage().contains("signals: issue 4"), e.getMessage());
        assertTrue(e.getMessage().contains("stdout differs"), e.getMessage());
        assertThrows(TestAbortedException.class, () -> GuestProgramsTest.unlessPending(program("sig_x"), "why",
                () -> {
                    throw new IllegalStateException("crash");
                }));
    }

    @Test
    void aPassingPendingTestFailsAndAsksForTheMarkersRemoval() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> GuestProgramsTest.unlessPending(
                program("sig_x"), "signals: issue 4", () -> {}));
        assertTrue(e.getMessage().contains("remove sig_x.pending"), e.getMessage());
    }

    @Test
    void withoutAMarkerTheCheckRunsAsIs() {
        assertDoesNotThrow(() -> GuestProgramsTest.unlessPending(program("t"), null, () -> {}));
        assertThrows(AssertionFailedError.class, () -> GuestProgramsTest.unlessPending(program("t"), null, () -> {
            throw new AssertionFailedError("real failure");
        }));
    }
}
