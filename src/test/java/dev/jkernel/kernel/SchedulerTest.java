package dev.jkernel.kernel;

import dev.jkernel.guest.GuestPrograms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Virtual CPUs: with one vCPU, two spinning processes still both run (preemption at the end of a slice). */
class SchedulerTest {
    @Test
    @Timeout(60)
    void oneCpuIsSharedByPreemption() throws Exception {
        GuestPrograms.ensureBuilt();
        String prog = GuestPrograms.guestDir().resolve("out/static/tests/sched_preempt").toString();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Kernel k = new Kernel(KernelConfig.of(new ByteArrayInputStream(new byte[0]), out, new ByteArrayOutputStream())
                .withCpus(1));
        assertEquals(1, k.sched().cpus());
        assertEquals(0, k.run(prog, List.of(prog), List.of()));
        assertEquals("both processes ran\n", out.toString(StandardCharsets.UTF_8));
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
}
