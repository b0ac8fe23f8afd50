package dev.jkernel.syscall;

import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;
import dev.jkernel.kernel.Kernel;
import dev.jkernel.kernel.Rlimits;
import dev.jkernel.kernel.Task;
import dev.jkernel.mm.GuestFault;
import dev.jkernel.mm.MemCgroup;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.jkernel.kernel.WaitQueue;

import static dev.jkernel.syscall.SyscallTable.Status.FULL;
import static dev.jkernel.syscall.SyscallTable.Status.PARTIAL;

/**
 * Process identity, limits, time and system information: the syscalls a single process needs from kernel/sys.c,
 * kernel/time and friends. Process creation and signals live with their own families.
 */
public final class ProcessSyscalls implements SyscallTable.Family {
    /** What uname reports: a Linux of the generation whose ABI jkernel follows. */
    public static final String UTS_RELEASE = "6.12.0-jkernel";
    public static final String UTS_VERSION = "#1 SMP PREEMPT jkernel";


    @Override
    public void register(SyscallTable.Builder b) {
        b.add("getuid", (t, a0, a1, a2, a3, a4, a5) -> t.uid, FULL, "", "the host user's id, as under qemu-user");
        b.add("geteuid", (t, a0, a1, a2, a3, a4, a5) -> t.uid, FULL, "");
        b.add("getgid", (t, a0, a1, a2, a3, a4, a5) -> t.gid, FULL, "");
        b.add("getegid", (t, a0, a1, a2, a3, a4, a5) -> t.gid, FULL, "");
        b.add("getresuid", (t, a0, a1, a2, a3, a4, a5) -> putIds(t, a0, a1, a2, t.uid), FULL, "ptr ptr ptr");
        b.add("getresgid", (t, a0, a1, a2, a3, a4, a5) -> putIds(t, a0, a1, a2, t.gid), FULL, "ptr ptr ptr");
        b.add("getgroups", (t, a0, a1, a2, a3, a4, a5) -> (int) a0 < 0 ? -Errno.EINVAL : 0, FULL, "int ptr",
                "no supplementary groups");
        b.add("set_robust_list", (t, a0, a1, a2, a3, a4, a5) -> {
            if (a1 != 24) { // sizeof(struct robust_list_head)
                return -Errno.EINVAL;
            }
            t.robustListHead = a0;
            t.robustListLen = a1;
            return 0;
        }, FULL, "ptr size", "the list is walked at thread exit and exec (robust mutexes)");
        b.add("get_robust_list", ProcessSyscalls::getRobustList, FULL, "int ptr ptr");
        b.add("prlimit64", ProcessSyscalls::prlimit64, PARTIAL, "int rlimit ptr ptr",
                "limits are recorded and reported; RLIMIT_NOFILE is the only one enforced");
        b.add("getrlimit", (t, a0, a1, a2, a3, a4, a5) -> prlimit64(t, 0, a0, 0, a1, 0, 0), FULL, "rlimit ptr");
        b.add("setrlimit", (t, a0, a1, a2, a3, a4, a5) -> prlimit64(t, 0, a0, a1, 0, 0, 0), FULL, "rlimit ptr");
        b.add("uname", ProcessSyscalls::uname, FULL, "ptr");
        b.add("getrandom", ProcessSyscalls::getrandom, FULL, "ptr size grndflags");
        b.add("clock_gettime", ProcessSyscalls::clockGettime, FULL, "clockid ptr");
        b.add("clock_getres", ProcessSyscalls::clockGetres, FULL, "clockid ptr");
        b.add("gettimeofday", ProcessSyscalls::gettimeofday, FULL, "ptr ptr");
        b.add("nanosleep", (t, a0, a1, a2, a3, a4, a5) -> nanosleep(t, 1, 0, a0, a1), PARTIAL, "ptr ptr");
        b.add("clock_nanosleep", (t, a0, a1, a2, a3, a4, a5) -> nanosleep(t, (int) a0, (int) a1, a2, a3), FULL,
                "clockid int ptr ptr");
        b.add("sched_yield", (t, a0, a1, a2, a3, a4, a5) -> {
            t.kernel().sched().yield(t);
            return 0;
        }, FULL, "");
        b.add("getcpu", ProcessSyscalls::getcpu, FULL, "ptr ptr ptr", "one NUMA node");
        b.add("sched_getaffinity", ProcessSyscalls::schedGetaffinity, FULL, "int size ptr");
        b.add("sched_setaffinity", ProcessSyscalls::schedSetaffinity, FULL, "int size ptr");
        b.add("sysinfo", ProcessSyscalls::sysinfo, FULL, "ptr");
        b.add("sched_getscheduler", (t, a0, a1, a2, a3, a4, a5) -> {
            Task target = schedTarget(t, a0);
            return target == null ? (int) a0 < 0 ? -Errno.EINVAL : -Errno.ESRCH : target.schedPolicy;
        }, FULL, "int");
        b.add("sched_getparam", (t, a0, a1, a2, a3, a4, a5) -> {
            Task target = schedTarget(t, a0);
            if ((int) a0 < 0 || a1 == 0) {
                return -Errno.EINVAL;
            }
            if (target == null) {
                return -Errno.ESRCH;
            }
            t.mm().write32(a1, target.schedPriority);
            return 0;
        }, FULL, "int ptr");
        b.add("sched_setscheduler", (t, a0, a1, a2, a3, a4, a5) -> setScheduler(t, a0, (int) a1, a2), PARTIAL,
                "int int ptr", "policies are recorded and reported; every thread is scheduled the same way");
        b.add("sched_setparam", (t, a0, a1, a2, a3, a4, a5) -> {
            Task target = schedTarget(t, a0);
            return setScheduler(t, a0, target == null ? 0 : target.schedPolicy, a1);
        }, PARTIAL, "int ptr", "recorded and reported only");
        b.add("sched_setattr", ProcessSyscalls::schedSetattr, PARTIAL, "int ptr hex",
                "policies, priorities and the nice value as sched_setscheduler/setpriority record them; "
                        + "SCHED_DEADLINE: EINVAL for invalid parameters, else EPERM (no deadline scheduling); "
                        + "utilization clamps are validated, not recorded; SCHED_FLAG_RESET_ON_FORK is not kept");
        b.add("sched_getattr", ProcessSyscalls::schedGetattr, PARTIAL, "int ptr uint hex",
                "policy, priority and nice; utilization clamps reported as the defaults (0, 1024)");
        b.add("sched_get_priority_max", (t, a0, a1, a2, a3, a4, a5) -> switch ((int) a0) {
            case SCHED_FIFO, SCHED_RR -> 99;
            case SCHED_OTHER, SCHED_BATCH, SCHED_IDLE -> 0;
            default -> -Errno.EINVAL;
        }, FULL, "int");
        b.add("sched_get_priority_min", (t, a0, a1, a2, a3, a4, a5) -> switch ((int) a0) {
            case SCHED_FIFO, SCHED_RR -> 1;
            case SCHED_OTHER, SCHED_BATCH, SCHED_IDLE -> 0;
            default -> -Errno.EINVAL;
        }, FULL, "int");
        b.add("sched_rr_get_interval", (t, a0, a1, a2, a3, a4, a5) -> {
            Task target = schedTarget(t, a0);
            if ((int) a0 < 0) {
                return -Errno.EINVAL;
            }
            if (target == null) {
                return -Errno.ESRCH;
            }
            putTimespec(t, a1, target.schedPolicy == SCHED_RR ? 100_000_000L : 4_000_000L);
            return 0;
        }, PARTIAL, "int ptr", "100 ms for SCHED_RR, a nominal 4 ms slice otherwise");
        b.add("getpriority", (t, a0, a1, a2, a3, a4, a5) -> priority(t, (int) a0, (int) a1, 0, false), FULL,
                "int int", "returns 20 - nice, as the raw syscall does");
        b.add("setpriority", (t, a0, a1, a2, a3, a4, a5) -> priority(t, (int) a0, (int) a1, (int) a2, true),
                PARTIAL, "int int int", "nice values are recorded, inherited and reported; every thread is "
                        + "scheduled alike");
        b.add("times", ProcessSyscalls::times, FULL, "ptr");
        b.add("getrusage", ProcessSyscalls::getrusage, PARTIAL, "int ptr", "CPU times only; counters are zero");
        b.add("prctl", ProcessSyscalls::prctl, PARTIAL, "int hex hex hex hex",
                "PR_SET_NAME, PR_GET_NAME, PR_GET/SET_DUMPABLE, PR_GET/SET_PDEATHSIG, PR_GET/SET_CHILD_SUBREAPER; others EINVAL");
    }

    static long putIds(Task t, long a, long b, long c, int id) throws GuestFault {
        t.mm().write32(a, id);
        t.mm().write32(b, id);
        t.mm().write32(c, id);
        return 0;
    }

    static long getRobustList(Task t, long pid, long headPtr, long lenPtr, long a3, long a4, long a5)
            throws GuestFault {
        if ((int) pid != 0 && (int) pid != t.tid()) {
            return -Errno.ESRCH;
        }
        t.mm().write64(headPtr, t.robustListHead);
        t.mm().write64(lenPtr, t.robustListLen);
        return 0;
    }

    static long prlimit64(Task t, long pid, long resource, long newPtr, long oldPtr, long a4, long a5)
            throws GuestFault {
        if ((int) pid != 0 && (int) pid != t.tgid()) {
            return -Errno.ESRCH;
        }
        int r = (int) resource;
        if (r < 0 || r >= Rlimits.RLIM_NLIMITS) {
            return -Errno.EINVAL;
        }
        long[] lim = t.proc().rlimits()[r];
        long newSoft = 0, newHard = 0;
        if (newPtr != 0) {
            newSoft = t.mm().read64(newPtr);
            newHard = t.mm().read64(newPtr + 8);
            if (Long.compareUnsigned(newSoft, newHard) > 0) {
                return -Errno.EINVAL;
            }
            if (Long.compareUnsigned(newHard, lim[1]) > 0 && t.uid != 0) {
                return -Errno.EPERM;
            }
            if (r == Rlimits.RLIMIT_NOFILE && Long.compareUnsigned(newHard, 1L << 20) > 0) {
                return -Errno.EPERM; // fs.nr_open
            }
        }
        if (oldPtr != 0) {
            t.mm().write64(oldPtr, lim[0]);
            t.mm().write64(oldPtr + 8, lim[1]);
        }
        if (newPtr != 0) {
            lim[0] = newSoft;
            lim[1] = newHard;
        }
        return 0;
    }

    static long uname(Task t, long buf, long a1, long a2, long a3, long a4, long a5) throws GuestFault {
        byte[] u = new byte[6 * 65];
        String[] fields = {"Linux", hostname(), UTS_RELEASE, UTS_VERSION, t.kernel().arch().name(), "(none)"};
        for (int i = 0; i < fields.length; i++) {
            byte[] f = fields[i].getBytes(StandardCharsets.UTF_8);
            System.arraycopy(f, 0, u, i * 65, Math.min(64, f.length));
        }
        t.mm().write(buf, u);
        return 0;
    }

    private static String hostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (Exception e) {
            return "localhost";
        }
    }

    private static final int GRND_NONBLOCK = 1, GRND_RANDOM = 2, GRND_INSECURE = 4;

    static long getrandom(Task t, long buf, long len, long flags, long a3, long a4, long a5) throws GuestFault {
        if ((flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) != 0
                || (flags & (GRND_RANDOM | GRND_INSECURE)) == (GRND_RANDOM | GRND_INSECURE)) {
            return -Errno.EINVAL;
        }
        // Linux caps one call at MAX_RW_COUNT (INT_MAX rounded down to a page).
        long n = Math.min(len & 0xffffffffL, 0x7ffff000L);
        byte[] chunk = new byte[(int) Math.min(n, 65536)];
        long done = 0;
        while (done < n) {
            int c = (int) Math.min(chunk.length, n - done);
            t.kernel().entropy(chunk);
            try {
                t.mm().write(buf + done, chunk, 0, c);
            } catch (GuestFault f) {
                if (done == 0) {
                    throw f;
                }
                break;
            }
            done += c;
        }
        return done;
    }

    // ---- time ----

    static final int CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2,
            CLOCK_THREAD_CPUTIME_ID = 3, CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5,
            CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7, CLOCK_REALTIME_ALARM = 8, CLOCK_BOOTTIME_ALARM = 9,
            CLOCK_TAI = 11;
    /** TAI - UTC since 2017. */
    private static final long TAI_OFFSET_NS = 37_000_000_000L;

    /** The current value of a clock in nanoseconds. */
    public static long clockNanos(Kernel k, Task t, int clock) throws ErrnoException {
        return switch (clock) {
            case CLOCK_REALTIME, CLOCK_REALTIME_COARSE, CLOCK_REALTIME_ALARM -> k.realtimeNanos();
            case CLOCK_TAI -> k.realtimeNanos() + TAI_OFFSET_NS;
            case CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW, CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME, CLOCK_BOOTTIME_ALARM ->
                    k.monotonicNanos();
            case CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID -> t == null ? 0
                    : cpuNanos(t, false);
            default -> throw new ErrnoException(Errno.EINVAL);
        };
    }

    static void putTimespec(Task t, long addr, long nanos) throws GuestFault {
        byte[] b = new byte[16];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(Math.floorDiv(nanos, 1_000_000_000L))
                .putLong(Math.floorMod(nanos, 1_000_000_000L));
        t.mm().write(addr, b);
    }

    static long clockGettime(Task t, long clock, long tp, long a2, long a3, long a4, long a5)
            throws GuestFault, ErrnoException {
        long ns = clockNanos(t.kernel(), t, (int) clock);
        putTimespec(t, tp, ns);
        return 0;
    }

    static long clockGetres(Task t, long clock, long tp, long a2, long a3, long a4, long a5)
            throws GuestFault, ErrnoException {
        int c = (int) clock;
        clockNanos(t.kernel(), t, c); // validates
        if (tp != 0) {
            boolean coarse = c == CLOCK_REALTIME_COARSE || c == CLOCK_MONOTONIC_COARSE;
            putTimespec(t, tp, coarse ? 4_000_000L : 1L);
        }
        return 0;
    }

    static long gettimeofday(Task t, long tv, long tz, long a2, long a3, long a4, long a5) throws GuestFault {
        if (tv != 0) {
            long ns = t.kernel().realtimeNanos();
            byte[] b = new byte[16];
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(ns / 1_000_000_000L)
                    .putLong(ns % 1_000_000_000L / 1000);
            t.mm().write(tv, b);
        }
        if (tz != 0) {
            t.mm().write(tz, new byte[8]); // UTC, no DST
        }
        return 0;
    }

    private static final int TIMER_ABSTIME = 1;

    static long nanosleep(Task t, int clock, int flags, long req, long rem) throws GuestFault, ErrnoException {
        if (clock == CLOCK_THREAD_CPUTIME_ID) {
            return -Errno.EINVAL;
        }
        if (clock == CLOCK_PROCESS_CPUTIME_ID) {
            return -Errno.EOPNOTSUPP;
        }
        long now = clockNanos(t.kernel(), t, clock);
        long sec = t.mm().read64(req);
        long nsec = t.mm().read64(req + 8);
        if (sec < 0 || nsec < 0 || nsec >= 1_000_000_000L) {
            return -Errno.EINVAL;
        }
        long want = sec > Long.MAX_VALUE / 1_000_000_000L - 1 ? Long.MAX_VALUE : sec * 1_000_000_000L + nsec;
        boolean abs = (flags & TIMER_ABSTIME) != 0;
        long deadline = abs ? want : saturatingAdd(now, want);
        return sleepUntil(t, clock, deadline, abs, rem);
    }

    private static long saturatingAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    /**
     * Sleeps until {@code deadline} on {@code clock}. Interrupted by a signal: a relative sleep stores the time left in
     * rem and returns ERESTART_RESTARTBLOCK, whose restart (restart_syscall, after a stop and continue say) sleeps on
     * to the same deadline; an absolute sleep returns ERESTARTNOHAND (hrtimer_nanosleep's rules).
     */
    static long sleepUntil(Task t, int clock, long deadline, boolean abs, long rem) throws GuestFault, ErrnoException {
        long left = deadline - clockNanos(t.kernel(), t, clock);
        long mono = t.kernel().monotonicNanos();
        int r = left <= 0 ? WaitQueue.TIMED_OUT : new WaitQueue().await(t, () -> false,
                mono + left < 0 ? WaitQueue.FOREVER : mono + left, true);
        if (r != WaitQueue.INTERRUPTED) {
            // The host clock may have been a little early for a realtime clock: finish the last stretch.
            long still = deadline - clockNanos(t.kernel(), t, clock);
            if (still > 0 && r == WaitQueue.TIMED_OUT) {
                return sleepUntil(t, clock, deadline, abs, rem);
            }
            return 0;
        }
        if (abs) {
            return -Errno.ERESTARTNOHAND;
        }
        long remaining = Math.max(0, deadline - clockNanos(t.kernel(), t, clock));
        if (rem != 0) {
            putTimespec(t, rem, remaining);
        }
        t.setRestartBlock(tt -> sleepUntil(tt, clock, deadline, false, rem));
        return -Errno.ERESTART_RESTARTBLOCK;
    }

    static final int SCHED_OTHER = 0, SCHED_FIFO = 1, SCHED_RR = 2, SCHED_BATCH = 3, SCHED_IDLE = 5;
    static final int SCHED_RESET_ON_FORK = 0x40000000;

    private static Task schedTarget(Task t, long pid) {
        int p = (int) pid;
        return p == 0 ? t : p < 0 ? null : t.kernel().task(p);
    }

    static long setScheduler(Task t, long pid, int policyArg, long param) throws GuestFault {
        int policy = policyArg & ~SCHED_RESET_ON_FORK;
        if ((int) pid < 0 || param == 0 || policy < 0 || policy > SCHED_IDLE || policy == 4) {
            return -Errno.EINVAL;
        }
        int prio = t.mm().read32(param);
        boolean rt = policy == SCHED_FIFO || policy == SCHED_RR;
        if (rt ? prio < 1 || prio > 99 : prio != 0) {
            return -Errno.EINVAL;
        }
        Task target = schedTarget(t, pid);
        if (target == null) {
            return -Errno.ESRCH;
        }
        if (rt && t.uid != 0) {
            return -Errno.EPERM; // no CAP_SYS_NICE and RLIMIT_RTPRIO is 0
        }
        target.schedPolicy = policy;
        target.schedPriority = prio;
        return 0;
    }

    static final int SCHED_DEADLINE = 6;
    static final int SCHED_ATTR_SIZE_VER0 = 48, SCHED_ATTR_SIZE_VER1 = 56, PAGE_SIZE = 4096;
    static final long SCHED_FLAG_RESET_ON_FORK = 0x01, SCHED_FLAG_KEEP_POLICY = 0x08, SCHED_FLAG_KEEP_PARAMS = 0x10,
            SCHED_FLAG_UTIL_CLAMP_MIN = 0x20, SCHED_FLAG_UTIL_CLAMP_MAX = 0x40, SCHED_FLAG_ALL = 0x7f;
    static final int RLIMIT_RTPRIO = 14;

    private static long rlimitCur(Task t, int resource) {
        long[] rl = t.proc().rlimits()[resource];
        return rl == null ? 0 : rl[0];
    }

    /** can_nice: lowering the nice value to {@code nice} is allowed by RLIMIT_NICE or root. */
    private static boolean canNice(Task t, int nice) {
        return t.uid == 0 || Long.compareUnsigned(20 - nice, rlimitCur(t, RLIMIT_NICE)) <= 0;
    }

    /** __checkparam_dl: a deadline task's runtime <= deadline <= period, the period within 100 us .. 4.19 s. */
    private static boolean validDeadline(long runtime, long deadline, long period) {
        if (deadline == 0 || Long.compareUnsigned(runtime, 1L << 10) < 0 || deadline < 0 || period < 0) {
            return false;
        }
        long p = period == 0 ? deadline : period;
        return p >= deadline && Long.compareUnsigned(deadline, runtime) >= 0 && p >= 100_000L
                && p <= (1L << 22) * 1000L;
    }

    /** sched_setattr (kernel/sched/syscalls.c): struct sched_attr, sizes as copy_struct_from_user takes them. */
    static long schedSetattr(Task t, long pid, long uattr, long flags, long a3, long a4, long a5)
            throws GuestFault {
        if (uattr == 0 || (int) pid < 0 || (int) flags != 0) {
            return -Errno.EINVAL;
        }
        long size = t.mm().read32(uattr) & 0xffffffffL;
        if (size == 0) {
            size = SCHED_ATTR_SIZE_VER0;
        }
        boolean badSize = size > PAGE_SIZE || size < SCHED_ATTR_SIZE_VER0;
        if (!badSize && size > SCHED_ATTR_SIZE_VER1) {
            for (byte x : t.mm().read(uattr + SCHED_ATTR_SIZE_VER1, (int) size - SCHED_ATTR_SIZE_VER1)) {
                badSize |= x != 0;
            }
        }
        if (badSize) {
            t.mm().write32(uattr, SCHED_ATTR_SIZE_VER1);
            return -Errno.E2BIG;
        }
        int policy = t.mm().read32(uattr + 4);
        long schedFlags = t.mm().read64(uattr + 8);
        int nice = Math.clamp(t.mm().read32(uattr + 16), -20, 19);
        long prio = t.mm().read32(uattr + 20) & 0xffffffffL;
        long runtime = t.mm().read64(uattr + 24), deadline = t.mm().read64(uattr + 32),
                period = t.mm().read64(uattr + 40);
        long utilMin = size >= SCHED_ATTR_SIZE_VER1 ? t.mm().read32(uattr + 48) & 0xffffffffL : 0;
        long utilMax = size >= SCHED_ATTR_SIZE_VER1 ? t.mm().read32(uattr + 52) & 0xffffffffL : 0;
        boolean clamps = (schedFlags & (SCHED_FLAG_UTIL_CLAMP_MIN | SCHED_FLAG_UTIL_CLAMP_MAX)) != 0;
        if (clamps && size < SCHED_ATTR_SIZE_VER1) {
            return -Errno.EINVAL;
        }
        if (policy < 0) {
            return -Errno.EINVAL;
        }
        Task p = schedTarget(t, pid);
        if (p == null) {
            return -Errno.ESRCH;
        }
        if ((schedFlags & SCHED_FLAG_KEEP_POLICY) != 0) {
            policy = p.schedPolicy;
        }
        boolean fair = policy == SCHED_OTHER || policy == SCHED_BATCH || policy == SCHED_IDLE;
        if ((schedFlags & SCHED_FLAG_KEEP_PARAMS) != 0) {
            prio = p.schedPriority;
            if (fair) {
                nice = p.nice;
            }
        }
        boolean rt = policy == SCHED_FIFO || policy == SCHED_RR;
        if (!(fair || rt || policy == SCHED_DEADLINE) || (schedFlags & ~SCHED_FLAG_ALL) != 0 || prio > 99
                || (policy == SCHED_DEADLINE && !validDeadline(runtime, deadline, period)) || rt != (prio != 0)) {
            return -Errno.EINVAL;
        }
        if (t.uid != 0) {
            // user_check_sched_setscheduler: what an unprivileged caller may do.
            if (fair && nice < p.nice && !canNice(p, nice)) {
                return -Errno.EPERM;
            }
            if (rt) {
                long rtprio = rlimitCur(p, RLIMIT_RTPRIO);
                if ((policy != p.schedPolicy && rtprio == 0)
                        || (prio > p.schedPriority && Long.compareUnsigned(prio, rtprio) > 0)) {
                    return -Errno.EPERM;
                }
            }
            if (policy == SCHED_DEADLINE) {
                return -Errno.EPERM;
            }
            if (p.schedPolicy == SCHED_IDLE && policy != SCHED_IDLE && !canNice(p, p.nice)) {
                return -Errno.EPERM;
            }
            if (p.uid != t.uid) {
                return -Errno.EPERM;
            }
        }
        if (policy == SCHED_DEADLINE) {
            return -Errno.EPERM; // jkernel has no deadline scheduling to admit the task to
        }
        if (clamps) {
            // uclamp_validate: values up to SCHED_CAPACITY_SCALE (or -1, "reset"), min <= max.
            boolean setMin = (schedFlags & SCHED_FLAG_UTIL_CLAMP_MIN) != 0 && utilMin != 0xffffffffL;
            boolean setMax = (schedFlags & SCHED_FLAG_UTIL_CLAMP_MAX) != 0 && utilMax != 0xffffffffL;
            if ((setMin && utilMin > 1024) || (setMax && utilMax > 1024)
                    || (setMin ? utilMin : 0) > (setMax ? utilMax : 1024)) {
                return -Errno.EINVAL;
            }
        }
        if ((schedFlags & SCHED_FLAG_KEEP_PARAMS) == 0) { // KEEP_PARAMS: only the clamps would change
            p.schedPolicy = policy;
            p.schedPriority = (int) prio;
            if (fair) {
                p.nice = nice;
            }
        }
        return 0;
    }

    /** sched_getattr: the task's attributes, copied as copy_struct_to_user does (a larger buffer's tail zeroed). */
    static long schedGetattr(Task t, long pid, long uattr, long usizeArg, long flags, long a4, long a5)
            throws GuestFault {
        long usize = usizeArg & 0xffffffffL;
        if (uattr == 0 || (int) pid < 0 || usize > PAGE_SIZE || usize < SCHED_ATTR_SIZE_VER0 || (int) flags != 0) {
            return -Errno.EINVAL;
        }
        Task p = schedTarget(t, pid);
        if (p == null) {
            return -Errno.ESRCH;
        }
        int policy = p.schedPolicy;
        boolean fair = policy == SCHED_OTHER || policy == SCHED_BATCH || policy == SCHED_IDLE;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate((int) usize).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, (int) Math.min(usize, SCHED_ATTR_SIZE_VER1));
        b.putInt(4, policy);
        b.putLong(8, 0);
        b.putInt(16, fair ? p.nice : 0);
        b.putInt(20, p.schedPriority);
        if (usize >= SCHED_ATTR_SIZE_VER1) {
            b.putInt(48, 0);
            b.putInt(52, 1024);
        }
        t.mm().write(uattr, b.array());
        return 0;
    }

    static final int PRIO_PROCESS = 0, PRIO_PGRP = 1, PRIO_USER = 2, RLIMIT_NICE = 13;

    /**
     * getpriority (set false: the largest 20 - nice among the matching threads) and setpriority (each matching
     * thread, EACCES for lowering a nice value without root or a large enough RLIMIT_NICE), kernel/sys.c.
     */
    static long priority(Task t, int which, int who, int niceArg, boolean set) {
        if (which < PRIO_PROCESS || which > PRIO_USER) {
            return -Errno.EINVAL;
        }
        java.util.List<Task> targets = new java.util.ArrayList<>();
        switch (which) {
            case PRIO_PROCESS -> {
                Task p = who == 0 ? t : who < 0 ? null : t.kernel().task(who);
                if (p != null) {
                    targets.add(p);
                }
            }
            case PRIO_PGRP -> {
                int pgrp = who == 0 ? t.proc().pgid() : who;
                for (dev.jkernel.kernel.Proc p : t.kernel().procs()) {
                    if (!p.isKernelThread() && p.pgid() == pgrp) {
                        targets.addAll(p.threads());
                    }
                }
            }
            default -> {
                int uid = who == 0 ? t.uid : who;
                for (dev.jkernel.kernel.Proc p : t.kernel().procs()) {
                    for (Task th : p.isKernelThread() ? java.util.List.<Task>of() : p.threads()) {
                        if (th.uid == uid) {
                            targets.add(th);
                        }
                    }
                }
            }
        }
        if (!set) {
            long best = -Errno.ESRCH;
            for (Task p : targets) {
                best = Math.max(best, 20 - p.nice);
            }
            return best;
        }
        int nice = Math.clamp(niceArg, -20, 19);
        long error = -Errno.ESRCH;
        long[] rl = t.proc().rlimits()[RLIMIT_NICE];
        boolean canNice = t.uid == 0 || (rl != null && Long.compareUnsigned(20 - nice, rl[0]) <= 0);
        for (Task p : targets) {
            if (p.uid != t.uid && t.uid != 0) {
                error = -Errno.EPERM;
            } else if (nice < p.nice && !canNice) {
                error = -Errno.EACCES;
            } else {
                if (error == -Errno.ESRCH) {
                    error = 0;
                }
                p.nice = nice;
            }
        }
        return error;
    }

    static long getcpu(Task t, long cpu, long node, long cache, long a3, long a4, long a5) throws GuestFault {
        if (cpu != 0) {
            t.mm().write32(cpu, t.cpu());
        }
        if (node != 0) {
            t.mm().write32(node, 0);
        }
        return 0;
    }

    static long schedGetaffinity(Task t, long pid, long len, long mask, long a3, long a4, long a5)
            throws GuestFault {
        Task target = (int) pid == 0 ? t : t.kernel().task((int) pid);
        if (target == null) {
            return -Errno.ESRCH;
        }
        // Linux: the buffer must hold nr_cpu_ids bits and be a multiple of sizeof(long).
        if (len < 8 || (len & 7) != 0) {
            return -Errno.EINVAL;
        }
        t.mm().write64(mask, target.affinity());
        return 8;
    }

    static long schedSetaffinity(Task t, long pid, long len, long mask, long a3, long a4, long a5)
            throws GuestFault {
        Task target = (int) pid == 0 ? t : t.kernel().task((int) pid);
        if (target == null) {
            return -Errno.ESRCH;
        }
        byte[] b = t.mm().read(mask, (int) Math.min(Math.max(len, 0), 8));
        long m = 0;
        for (int i = 0; i < b.length; i++) {
            m |= (b[i] & 0xffL) << (8 * i);
        }
        m &= t.kernel().sched().allCpus();
        if (m == 0) {
            return -Errno.EINVAL;
        }
        target.setAffinity(m);
        if (target == t && (m & (1L << t.cpu())) == 0) {
            t.kernel().sched().migrate(t);
        }
        return 0;
    }

    static long sysinfo(Task t, long info, long a1, long a2, long a3, long a4, long a5) throws GuestFault {
        ByteBuffer b = ByteBuffer.allocate(112).order(ByteOrder.LITTLE_ENDIAN);
        // The machine's memory is the kernel's memory limit (what /proc/meminfo reports as MemTotal).
        MemCgroup mem = t.kernel().memory();
        long total = mem.limitBytes();
        if (total == MemCgroup.UNLIMITED) {
            total = Runtime.getRuntime().maxMemory();
        }
        b.putLong(t.kernel().uptimeNanos() / 1_000_000_000L); // uptime
        b.putLong(0).putLong(0).putLong(0);                     // loads
        b.putLong(total);                                      // totalram
        b.putLong(Math.max(0, total - mem.usageBytes()));      // freeram
        b.putLong(0).putLong(0);                               // sharedram, bufferram
        b.putLong(0).putLong(0);                               // totalswap, freeswap
        b.putShort((short) 1).putShort((short) 0).putInt(0);   // procs, pad
        b.putLong(0).putLong(0);                               // totalhigh, freehigh
        b.putInt(1);                                           // mem_unit
        t.mm().write(info, b.array());
        return 0;
    }

    private static final long CLK_TCK = 100;

    /** The calling task's CPU time (user time only with {@code userOnly}), as the host operations measure it. */
    private static long cpuNanos(Task t, boolean userOnly) {
        return t.kernel().host().cpuNanos(Thread.currentThread(), t.context().instret, userOnly);
    }

    static long times(Task t, long buf, long a1, long a2, long a3, long a4, long a5) throws GuestFault {
        long ticks = cpuNanos(t, false) / (1_000_000_000L / CLK_TCK);
        if (buf != 0) {
            ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(ticks).putLong(0).putLong(0).putLong(0);
            t.mm().write(buf, b.array());
        }
        return t.kernel().uptimeNanos() / (1_000_000_000L / CLK_TCK);
    }

    static long getrusage(Task t, long who, long usage, long a2, long a3, long a4, long a5) throws GuestFault {
        int w = (int) who;
        if (w != 0 && w != -1 && w != 1) {
            return -Errno.EINVAL;
        }
        long user = w == -1 ? 0 : cpuNanos(t, true);
        long total = w == -1 ? 0 : cpuNanos(t, false);
        long sys = Math.max(0, total - user);
        ByteBuffer b = ByteBuffer.allocate(144).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(user / 1_000_000_000L).putLong(user % 1_000_000_000L / 1000);
        b.putLong(sys / 1_000_000_000L).putLong(sys % 1_000_000_000L / 1000);
        t.mm().write(usage, b.array());
        return 0;
    }

    private static final int PR_SET_PDEATHSIG = 1, PR_GET_PDEATHSIG = 2, PR_GET_DUMPABLE = 3, PR_SET_DUMPABLE = 4,
            PR_SET_NAME = 15, PR_GET_NAME = 16, PR_SET_CHILD_SUBREAPER = 36, PR_GET_CHILD_SUBREAPER = 37;

    static long prctl(Task t, long option, long a1, long a2, long a3, long a4, long a5) throws GuestFault {
        switch ((int) option) {
            case PR_SET_NAME -> {
                String s = t.mm().readCString(a1, 16);
                if (s == null) {
                    byte[] b = t.mm().read(a1, 15);
                    s = new String(b, StandardCharsets.UTF_8);
                }
                t.comm = s;
                return 0;
            }
            case PR_GET_NAME -> {
                byte[] out = new byte[16];
                byte[] c = t.comm.getBytes(StandardCharsets.UTF_8);
                System.arraycopy(c, 0, out, 0, Math.min(15, c.length));
                t.mm().write(a1, out);
                return 0;
            }
            case PR_GET_DUMPABLE -> {
                return t.dumpable;
            }
            case PR_SET_DUMPABLE -> {
                if (a1 != 0 && a1 != 1) {
                    return -Errno.EINVAL;
                }
                t.dumpable = (int) a1;
                return 0;
            }
            case PR_SET_PDEATHSIG -> {
                if (a1 < 0 || a1 > 64) {
                    return -Errno.EINVAL;
                }
                t.pdeathSignal = (int) a1;
                return 0;
            }
            case PR_SET_CHILD_SUBREAPER -> {
                t.proc().setChildSubreaper(a1 != 0);
                return 0;
            }
            case PR_GET_CHILD_SUBREAPER -> {
                t.mm().write32(a1, t.proc().childSubreaper() ? 1 : 0);
                return 0;
            }
            case PR_GET_PDEATHSIG -> {
                t.mm().write32(a1, t.pdeathSignal);
                return 0;
            }
            default -> {
                return -Errno.EINVAL;
            }
        }
    }
}
