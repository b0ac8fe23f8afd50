package dev.jkernel.kernel;

import dev.jkernel.guest.GuestPrograms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Virtual CPUs: with one vCPU, two spinning processes still both run (preemption at the end of a slice). */
class SchedulerTest {
    /** Runs guest/tests/NAME as pid 1 of a kernel with {@code cpus} vCPUs; its stdout (exit status 0 checked). */
    private static String runTest(String name, int cpus) throws Exception {
        GuestPrograms.ensureBuilt();
        String prog = GuestPrograms.guestDir().resolve("out/static/tests/" + name).toString();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Kernel k = new Kernel(KernelConfig.of(new ByteArrayInputStream(new byte[0]), out, new ByteArrayOutputStream())
                .withCpus(cpus));
        assertEquals(cpus, k.sched().cpus());
        assertEquals(0, k.run(prog, List.of(prog), List.of()));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    @Timeout(60)
    void oneCpuIsSharedByPreemption() throws Exception {
        assertEquals("both processes ran\n", runTest("sched_preempt", 1));
    }

    /** On one vCPU, a thread that makes a syscall on every turn of its loop is preempted at the end of its slice. */
    @Test
    @Timeout(60)
    void aSliceSpansSyscalls() throws Exception {
        assertEquals("the other thread ran while this one looped on syscalls: yes\n", runTest("sched_syscall_loop", 1));
    }

    @Test
    void vcpuOwnershipFollowsTheRules() {
        Kernel k = new Kernel(KernelConfig.of(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(),
                new ByteArrayOutputStream()).withCpus(2));
        Task idle = k.idleTask();
        Scheduler s = k.sched();
        Task a = new Task(k, 10, idle.proc, null, null, null);
        Task b = new Task(k, 11, idle.proc, null, null, null);
        s.acquire(a);
        s.acquire(b);
        assertEquals(0, a.cpu, "first free cpu");
        assertEquals(1, b.cpu);
        s.release(a);
        assertEquals(-1, a.cpu);
        b.setAffinity(1L);           // only cpu 0
        s.migrate(b);
        assertEquals(0, b.cpu, "migrated into its affinity mask");
        a.lastCpu = 0;
        s.acquire(a);
        assertEquals(1, a.cpu, "cpu 0 is taken: another allowed one");
        s.release(a);
        s.release(b);
        s.acquire(b);
        assertEquals(0, b.cpu, "back on the cpu it last ran on");
    }

    /**
     * A freed vCPU goes to the task that has waited longest among those allowed on it, and the others keep waiting
     * (the handoff that makes a context switch cost one wake-up, not one per waiter). A waiter whose affinity another
     * thread widens onto a free vCPU takes it without anyone releasing.
     */
    @Test
    @Timeout(30)
    void freedCpuGoesToTheLongestWaitingAllowedTask() throws Exception {
        Kernel k = new Kernel(KernelConfig.of(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(),
                new ByteArrayOutputStream()).withCpus(2));
        Task idle = k.idleTask();
        Scheduler s = k.sched();
        Task a = new Task(k, 10, idle.proc, null, null, null);
        Task b = new Task(k, 11, idle.proc, null, null, null);
        s.acquire(a);
        s.acquire(b);
        Task[] w = new Task[4];
        Thread[] th = new Thread[4];
        for (int i = 0; i < w.length; i++) {
            w[i] = new Task(k, 20 + i, idle.proc, null, null, null);
            if (i == 0) {
                w[i].setAffinity(2L); // only cpu 1
            }
            Task t = w[i];
            th[i] = Thread.ofPlatform().start(() -> s.acquire(t));
            while (!s.contended() || th[i].getState() != Thread.State.TIMED_WAITING) {
                Thread.sleep(1);
            }
        }
        s.release(a); // cpu 0: w[0] waited longest but may not run there; w[1] is next
        th[1].join(5000);
        assertEquals(0, w[1].cpu);
        for (int i : new int[] {0, 2, 3}) {
            assertEquals(-1, w[i].cpu, "still waiting: " + i);
        }
        s.release(b); // cpu 1: w[0]
        th[0].join(5000);
        assertEquals(1, w[0].cpu);
        s.release(w[0]);
        th[2].join(5000);
        assertEquals(1, w[2].cpu, "FIFO: w[2] before w[3]");
        assertEquals(-1, w[3].cpu);
        w[3].setAffinity(2L); // only cpu 1: the release of cpu 0 cannot go to it
        s.release(w[1]);
        Thread.sleep(50);
        assertEquals(-1, w[3].cpu);
        w[3].setAffinity(1L); // now only cpu 0, which is free: it takes it with nobody releasing
        th[3].join(5000);
        assertEquals(0, w[3].cpu);
        assertEquals(false, s.contended());
    }

    /**
     * Programs count the kernel's vCPUs, not the host's cores: sysconf(_SC_NPROCESSORS_ONLN) (glibc reads
     * /sys/devices/system/cpu/online) agrees with sched_getaffinity for any --cpus.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 3})
    @Timeout(60)
    void guestsCountTheVcpus(int n) throws Exception {
        String text = runTest("proc_cpus", n);
        assertTrue(text.contains("equals sysconf(_SC_NPROCESSORS_ONLN): yes"), text);
    }
}
