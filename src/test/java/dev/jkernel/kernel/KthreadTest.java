package dev.jkernel.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** The kthread API (seed 001): kthreadd creates kernel threads; they run, park, unpark and stop on request. */
class KthreadTest {
    @Test
    @Timeout(30)
    void createParkUnparkStop() throws Exception {
        Kernel k = new Kernel(KernelConfig.of(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(),
                new ByteArrayOutputStream()));
        Task idle = k.idleTask();
        long kthreadd = k.startKthreadd(idle);
        assertEquals(1, kthreadd, "kthreadd is the first task of this kernel (no init here)");
        List<String> log = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        AtomicInteger loops = new AtomicInteger();
        // A kernel thread drives the API, as kernel code would (the caller of kthread_* is always a task).
        long driver = Fork.kernelClone(idle, KernelCloneArgs.kernelThread(self -> {
            try {
                Kthread worker = k.kthreadRun(self, "worker", kt -> {
                    while (!kt.shouldStop()) {
                        loops.incrementAndGet();
                        kt.parkme();
                        kt.sleep(System.nanoTime() + 1_000_000);
                    }
                    log.add("worker stopping");
                });
                assertNotNull(worker);
                Task wt = worker.task();
                log.add("worker comm=" + wt.comm + " mm=" + wt.mm() + " kernel=" + wt.isKernelThread()
                        + " ppid=" + wt.ppid());
                worker.park(self);
                assertTrue(worker.isParked());
                int parkedAt = loops.get();
                Thread.sleep(50);
                assertEquals(parkedAt, loops.get(), "a parked thread does not run");
                worker.unpark();
                long until = System.nanoTime() + 5_000_000_000L;
                while (loops.get() == parkedAt && System.nanoTime() < until) {
                    Thread.sleep(1);
                }
                assertTrue(loops.get() > parkedAt, "an unparked thread runs again");
                worker.stop(self);
                assertTrue(worker.hasExited());
                log.add("stopped");
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }));
        assertTrue(driver > 0);
        done.get(20, TimeUnit.SECONDS);
        assertEquals(List.of("worker comm=worker mm=null kernel=true ppid=" + kthreadd, "worker stopping", "stopped"),
                log, "kernel threads are kthreadd's children, without user memory");
        k.shutdown();
    }
}
