package dev.jkernel.kernel;

import dev.jkernel.arch.riscv64.Rv64Context;
import dev.jkernel.mm.AddressSpace;
import dev.jkernel.mm.GuestFault;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.jkernel.kernel.Futex.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The futex machinery driven from Java: waits and wakes between tasks on host threads, timeouts and interruption,
 * the exit-time robust list walk and CLONE_CHILD_CLEARTID wake, and random arguments (which must never escape as a
 * Java exception or hang). The guest-level behaviour is checked against Linux by guest/tests/futex_*.
 */
class FutexTest {
    @TempDir
    Path root;

    private Kernel k;
    private Task t;
    private AddressSpace mm;
    private long mem;

    @BeforeEach
    void setUp() throws Exception {
        Path prog = root.resolve("prog");
        Files.write(prog, ExecTest.minimalElf().array());
        Files.setPosixFilePermissions(prog, PosixFilePermissions.fromString("rwxr-xr-x"));
        k = new Kernel(KernelConfig.of(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(),
                new ByteArrayOutputStream()).withRoot(root));
        t = k.spawnInit("/prog", List.of("prog"), List.of());
        mm = t.mm();
        mem = mm.mmap(0, 4 * AddressSpace.PAGE_SIZE, AddressSpace.PROT_READ | AddressSpace.PROT_WRITE,
                AddressSpace.MAP_PRIVATE | AddressSpace.MAP_ANONYMOUS, null, 0, null);
    }

    /** Another thread of t's process, to be run on the calling host thread. */
    private Task thread(int tid) {
        return new Task(k, tid, t.proc, mm, t.files(), t.fs());
    }

    /** Runs body as task on a new host thread (bound as the task's thread, so that unpark reaches it). */
    private static <T> CompletableFuture<T> onThread(Task task, java.util.function.Supplier<T> body) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread th = new Thread(() -> {
            task.thread = Thread.currentThread();
            try {
                f.complete(body.get());
            } catch (Throwable x) {
                f.completeExceptionally(x);
            }
        });
        th.setDaemon(true);
        th.start();
        return f;
    }

    private void awaitWaiters(int n) throws InterruptedException {
        for (int i = 0; i < 5000 && k.futex().waiterCount() != n; i++) {
            Thread.sleep(1);
        }
        assertEquals(n, k.futex().waiterCount());
    }

    private long futex(Task task, long uaddr, int op, int val, long utime, long uaddr2, int val3) {
        return k.futex().futex(task, uaddr, op, val, utime, uaddr2, val3);
    }

    @Test
    @Timeout(30)
    void waitIsWokenByWake() throws Exception {
        Task w = thread(900);
        CompletableFuture<Long> r = onThread(w, () -> futex(w, mem, FUTEX_WAIT_PRIVATE(), 0, 0, 0, 0));
        awaitWaiters(1);
        assertEquals(0, futex(t, mem, FUTEX_WAKE, 1, 0, 0, 0), "a shared wake misses a private waiter");
        assertEquals(0, futex(t, mem + 4, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, 0, 0, 0), "another word");
        assertEquals(1, futex(t, mem, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, Integer.MAX_VALUE, 0, 0, 0));
        assertEquals(0L, r.get(10, TimeUnit.SECONDS));
        assertEquals(0, k.futex().waiterCount());
    }

    private static int FUTEX_WAIT_PRIVATE() {
        return FUTEX_WAIT | FUTEX_PRIVATE_FLAG;
    }

    @Test
    @Timeout(30)
    void sharedWaitOnPrivateMemoryIsWokenByExitWake() throws Exception {
        Task w = thread(901);
        CompletableFuture<Long> r = onThread(w, () -> futex(w, mem + 8, FUTEX_WAIT, 0, 0, 0, 0));
        awaitWaiters(1);
        k.futex().wakeForExit(t, mem + 4); // another word: nobody
        assertEquals(1, k.futex().waiterCount());
        k.futex().wakeForExit(t, mem + 8);
        assertEquals(0L, r.get(10, TimeUnit.SECONDS));
    }

    @Test
    @Timeout(30)
    void timeoutsAndInterruption() throws Exception {
        mm.write64(mem + 64, 0);
        mm.write64(mem + 72, 30_000_000); // 30 ms
        long t0 = System.nanoTime();
        assertEquals(-Errno.ETIMEDOUT, futex(t, mem, FUTEX_WAIT_PRIVATE(), 0, mem + 64, 0, 0));
        assertTrue(System.nanoTime() - t0 >= 30_000_000);

        // A kill interrupts the sleep: ERESTARTSYS without a timeout, ERESTART_RESTARTBLOCK with one.
        Task w = thread(902);
        CompletableFuture<Long> r = onThread(w, () -> futex(w, mem, FUTEX_WAIT_PRIVATE(), 0, 0, 0, 0));
        awaitWaiters(1);
        w.kill();
        assertEquals(-Errno.ERESTARTSYS, r.get(10, TimeUnit.SECONDS));
        assertEquals(0, k.futex().waiterCount());

        mm.write64(mem + 64, 100);
        Task w2 = thread(903);
        CompletableFuture<Long> r2 = onThread(w2, () -> futex(w2, mem, FUTEX_WAIT_PRIVATE(), 0, mem + 64, 0, 0));
        awaitWaiters(1);
        w2.kill();
        assertEquals(-Errno.ERESTART_RESTARTBLOCK, r2.get(10, TimeUnit.SECONDS));
        assertEquals(0, k.futex().waiterCount());
    }

    @Test
    @Timeout(30)
    void requeueMovesWaitersToTheOtherWord() throws Exception {
        Task[] ws = new Task[3];
        List<CompletableFuture<Long>> rs = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Task w = ws[i] = thread(910 + i);
            rs.add(onThread(w, () -> futex(w, mem, FUTEX_WAIT_PRIVATE(), 0, 0, 0, 0)));
        }
        awaitWaiters(3);
        assertEquals(3, futex(t, mem, FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG, 1, 2, mem + 4, 0));
        assertEquals(0, futex(t, mem, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 10, 0, 0, 0));
        assertEquals(2, futex(t, mem + 4, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 10, 0, 0, 0));
        for (CompletableFuture<Long> r : rs) {
            assertEquals(0L, r.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    @Timeout(60)
    void pingPongLosesNoWakeUps() throws Exception {
        // Two tasks hand a turn word back and forth: each waits while it is not its turn. A lost wake-up hangs.
        int rounds = 20_000;
        Task a = thread(920), b = thread(921);
        CompletableFuture<Long> ra = onThread(a, () -> pingPong(a, 0, rounds));
        CompletableFuture<Long> rb = onThread(b, () -> pingPong(b, 1, rounds));
        assertEquals(0L, ra.get(50, TimeUnit.SECONDS));
        assertEquals(0L, rb.get(50, TimeUnit.SECONDS));
    }

    private long pingPong(Task self, int me, int rounds) {
        try {
            for (int i = 0; i < rounds; i++) {
                int turn;
                while ((turn = mm.read32(mem + 128)) != me) {
                    long r = futex(self, mem + 128, FUTEX_WAIT_PRIVATE(), turn, 0, 0, 0);
                    if (r != 0 && r != -Errno.EAGAIN) {
                        return r;
                    }
                }
                mm.write32(mem + 128, 1 - me);
                futex(self, mem + 128, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, 0, 0, 0);
            }
            return 0;
        } catch (GuestFault f) {
            return -1;
        }
    }

    @Test
    void wakeOpOperations() throws Exception {
        int[][] cases = { // op, oparg, old, expected new
            {0, 5, 1, 5}, {1, 5, 1, 6}, {2, 6, 1, 7}, {3, 1, 3, 2}, {4, 3, 1, 2}, {8 | 0, 4, 0, 16}, {1, -1, 1, 0},
            {8 | 2, 40, 1, 1 | (1 << 8)}};
        for (int[] c : cases) {
            mm.write32(mem, c[2]);
            int enc = (c[0] << 28) | ((c[1] & 0xfff) << 12);
            assertEquals(c[2] == 0 ? 1 : 0, Futex.atomicOp(mm, mem, enc), "cmp EQ 0 of the old value");
            assertEquals(c[3], mm.read32(mem), "op " + c[0] + " oparg " + c[1]);
        }
        assertEquals(-Errno.ENOSYS, Futex.atomicOp(mm, mem, 5 << 28));
        assertEquals(-Errno.EFAULT, Futex.atomicOp(mm, 0x1000, 0));
    }

    @Test
    @Timeout(30)
    void robustListMarksOwnedLocksAndWakesWaiters() throws Exception {
        int tid = t.tid();
        long head = mem + 0x100;
        // Three list entries; the futex word sits at entry + 16 (futex_offset).
        long e1 = mem + 0x200, e2 = mem + 0x300, e3 = mem + 0x400, pending = mem + 0x500;
        mm.write64(head, e1);
        mm.write64(head + 8, 16);
        mm.write64(head + 16, pending);
        mm.write64(e1, e2);
        mm.write64(e2, e3);
        mm.write64(e3, head);
        mm.write32(e1 + 16, tid | FUTEX_WAITERS);  // ours, contended
        mm.write32(e2 + 16, (tid + 1));            // somebody else's
        mm.write32(e3 + 16, tid);                  // ours, uncontended
        mm.write32(pending + 16, 0);               // being released: only a wake
        t.robustListHead = head;
        t.robustListLen = 24;

        Task w = thread(930), wp = thread(931);
        CompletableFuture<Long> r = onThread(w, () -> futex(w, e1 + 16, FUTEX_WAIT, tid | FUTEX_WAITERS, 0, 0, 0));
        CompletableFuture<Long> rp = onThread(wp, () -> futex(wp, pending + 16, FUTEX_WAIT, 0, 0, 0, 0));
        awaitWaiters(2);
        k.futex().exitRobustList(t);
        assertEquals(FUTEX_WAITERS | FUTEX_OWNER_DIED, mm.read32(e1 + 16));
        assertEquals(tid + 1, mm.read32(e2 + 16));
        assertEquals(FUTEX_OWNER_DIED, mm.read32(e3 + 16));
        assertEquals(0, mm.read32(pending + 16));
        assertEquals(0L, r.get(10, TimeUnit.SECONDS));
        assertEquals(0L, rp.get(10, TimeUnit.SECONDS));
    }

    @Test
    @Timeout(30)
    void robustListWalkIsBoundedAndStopsQuietlyAtFaults() throws Exception {
        long head = mem + 0x100, e = mem + 0x200;
        mm.write64(head, e);
        mm.write64(head + 8, 8);
        mm.write64(head + 16, 0);
        mm.write64(e, e); // a cycle
        mm.write32(e + 8, t.tid());
        t.robustListHead = head;
        k.futex().exitRobustList(t);
        assertEquals(FUTEX_OWNER_DIED, mm.read32(e + 8));

        mm.write64(e, 0x1000); // next is unmapped
        k.futex().exitRobustList(t);
        t.robustListHead = 0x1000; // the head itself is unmapped
        k.futex().exitRobustList(t);
        mm.write64(head, e);
        mm.write64(head + 8, Long.MIN_VALUE + 1); // a wild, misaligned offset
        t.robustListHead = head;
        k.futex().exitRobustList(t);
    }

    @Test
    @Timeout(120)
    void randomArgumentsNeverThrowNorHang() throws Exception {
        // With a kill pending every sleep ends at once, so random waits cannot hang the test.
        t.killed = true;
        long ro = mm.mmap(0, AddressSpace.PAGE_SIZE, AddressSpace.PROT_READ,
                AddressSpace.MAP_PRIVATE | AddressSpace.MAP_ANONYMOUS, null, 0, null);
        long shared = mm.mmap(0, AddressSpace.PAGE_SIZE, AddressSpace.PROT_READ | AddressSpace.PROT_WRITE,
                AddressSpace.MAP_SHARED | AddressSpace.MAP_ANONYMOUS, null, 0, null);
        mm.write64(mem + 0x800, 0);
        mm.write64(mem + 0x808, 1000);
        Random r = new Random(4242);
        Rv64Context c = (Rv64Context) t.context();
        int nr = k.syscalls().entries().stream().filter(e -> e.name().equals("futex")).findFirst().orElseThrow()
                .number();
        long[] pool = {0, -1, 1, 3, 4, mem, mem + 4, mem + 2, mem + 0x800, ro, shared, shared + 4, 0x1000,
            Long.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE, AddressSpace.TASK_SIZE - 4, -4096};
        for (int i = 0; i < 20_000; i++) {
            c.x[Rv64Context.A7] = nr;
            for (int a = 0; a < 6; a++) {
                c.x[Rv64Context.A0 + a] = r.nextInt(4) == 0 ? r.nextLong() : pool[r.nextInt(pool.length)];
            }
            if (r.nextBoolean()) {
                c.x[Rv64Context.A1] = r.nextInt(14) | (r.nextInt(4) == 0 ? 0 : FUTEX_PRIVATE_FLAG)
                        | (r.nextInt(4) == 0 ? FUTEX_CLOCK_REALTIME : 0);
            }
            Entry.syscall(t);
            long ret = c.x[Rv64Context.A0];
            // restart codes are resolved on the way back to user mode (restart or EINTR)
            assertFalse(ret <= -512 && ret >= -4095 && !Entry.isRestartCode(ret), "leaked an internal errno " + ret);
        }
        assertEquals(0, k.futex().waiterCount());
    }
}
