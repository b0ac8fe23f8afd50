package dev.jkernel.api;

import dev.jkernel.guest.GuestPrograms;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The CPU-ownership rules with the embedding application's threads taking part, on both hosts (real parallelism
 * and the deterministic one): start-up, shutdown while threads are blocked in syscalls, and host threads entering
 * while the kernel shuts down. Through the public API only.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CpuOwnershipTest {
    static String tool;

    @BeforeAll
    static void build() {
        tool = GuestPrograms.make("out/static/api/tool").toString();
    }

    private static JKernel kernel(String host) {
        JKernel.Builder b = JKernel.builder().stdout(OutputStream.nullOutputStream())
                .stderr(OutputStream.nullOutputStream()).copy(Path.of(tool), tool);
        return (host.equals("deterministic") ? b.deterministic(3) : b.cpus(2)).build();
    }

    private static Set<Thread> kernelThreads(Set<Thread> before) {
        Set<Thread> left = new HashSet<>(Thread.getAllStackTraces().keySet());
        left.removeAll(before);
        left.removeIf(t -> !t.getName().startsWith("jkernel") || !t.isAlive());
        return left;
    }

    /** Right after boot, many threads enter at once: each gets a task of the one host process, all calls work. */
    @ParameterizedTest
    @ValueSource(strings = {"parallel", "deterministic"})
    void manyThreadsEnterRightAfterBoot(String host) throws Exception {
        try (JKernel k = kernel(host)) {
            Syscalls sys = k.syscalls();
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<Integer>> pids = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                CompletableFuture<Integer> f = new CompletableFuture<>();
                pids.add(f);
                Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                        int[] p = sys.pipe();
                        sys.writeFully(p[1], new byte[] {42});
                        byte[] b = new byte[1];
                        assertEquals(1, sys.read(p[0], b));
                        assertEquals(42, b[0]);
                        sys.close(p[0]);
                        sys.close(p[1]);
                        f.complete(sys.getpid());
                    } catch (Throwable t) {
                        f.completeExceptionally(t);
                    }
                });
            }
            go.countDown();
            Set<Integer> distinct = new HashSet<>();
            for (CompletableFuture<Integer> f : pids) {
                distinct.add(f.get(60, TimeUnit.SECONDS));
            }
            assertEquals(1, distinct.size(), "one host process: " + distinct);
        }
    }

    /**
     * Threads blocked in syscalls (a pipe read, a wait for a child) and guests running or sleeping when the kernel
     * closes: every blocked call ends with KernelClosedException, every guest is killed, no thread is left.
     */
    @ParameterizedTest
    @ValueSource(strings = {"parallel", "deterministic"})
    void closeWhileHostThreadsAreBlocked(String host) throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        JKernel k = kernel(host);
        GuestProcess spin = k.process(tool, "spin").start();
        GuestProcess sleeper = k.process(tool, "sleep").start();
        Syscalls sys = k.syscalls();
        int[] p = sys.pipe(), q = sys.pipe();
        List<CompletableFuture<Throwable>> ends = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            CompletableFuture<Throwable> end = new CompletableFuture<>();
            ends.add(end);
            int fd = i % 2 == 0 ? p[0] : q[0];
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    sys.read(fd, new byte[1]);
                    end.complete(null);
                } catch (Throwable t) {
                    end.complete(t);
                }
            }));
        }
        Thread.sleep(300); // the readers are asleep in the pipe by now (a reader that is not is killed as well)
        k.close();
        for (CompletableFuture<Throwable> end : ends) {
            Throwable t = end.get(30, TimeUnit.SECONDS);
            assertInstanceOf(KernelClosedException.class, t, "a blocked call ends with KernelClosedException");
        }
        for (Thread t : threads) {
            t.join(10_000);
            assertFalse(t.isAlive());
        }
        assertTrue(spin.waitFor().signaled());
        assertTrue(sleeper.waitFor().signaled());
        assertEquals(Set.of(), kernelThreads(before));
    }

    /**
     * Host threads keep entering while close() runs: each call either completes or throws KernelClosedException
     * (nothing else, no hang), afterwards every call throws it at once, and no thread is left.
     */
    @ParameterizedTest
    @ValueSource(strings = {"parallel", "deterministic"})
    void hostThreadsEnteringDuringShutdown(String host) throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        JKernel k = kernel(host);
        GuestProcess spin = k.process(tool, "spin").start();
        Syscalls sys = k.syscalls();
        AtomicLong calls = new AtomicLong();
        List<CompletableFuture<Throwable>> ends = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            CompletableFuture<Throwable> end = new CompletableFuture<>();
            ends.add(end);
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    while (true) {
                        int[] p = sys.pipe();
                        sys.writeFully(p[1], new byte[] {1});
                        sys.read(p[0], new byte[1]);
                        sys.close(p[0]);
                        sys.close(p[1]);
                        sys.getpid();
                        calls.incrementAndGet();
                    }
                } catch (Throwable t) {
                    end.complete(t);
                }
            }));
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (calls.get() < 20 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(calls.get() >= 20, "host threads made calls while a guest spun: " + calls.get());
        k.close();
        for (CompletableFuture<Throwable> end : ends) {
            Throwable t = end.get(30, TimeUnit.SECONDS);
            assertInstanceOf(KernelClosedException.class, t, "a call during shutdown: " + t);
        }
        for (Thread t : threads) {
            t.join(10_000);
            assertFalse(t.isAlive());
        }
        assertThrows(KernelClosedException.class, k::syscalls);
        assertTrue(spin.waitFor().signaled());
        assertEquals(Set.of(), kernelThreads(before));
    }
}
