package dev.jkernel.kernel;

/** Resource limits: numbers and the defaults a Linux login shell usually hands its children. */
public final class Rlimits {
    private Rlimits() {}

    public static final long INFINITY = -1L;
    public static final int RLIMIT_CPU = 0, RLIMIT_FSIZE = 1, RLIMIT_DATA = 2, RLIMIT_STACK = 3, RLIMIT_CORE = 4,
            RLIMIT_RSS = 5, RLIMIT_NPROC = 6, RLIMIT_NOFILE = 7, RLIMIT_MEMLOCK = 8, RLIMIT_AS = 9,
            RLIMIT_LOCKS = 10, RLIMIT_SIGPENDING = 11, RLIMIT_MSGQUEUE = 12, RLIMIT_NICE = 13, RLIMIT_RTPRIO = 14,
            RLIMIT_RTTIME = 15, RLIM_NLIMITS = 16;

    static long[][] defaults() {
        long[][] r = new long[RLIM_NLIMITS][];
        for (int i = 0; i < RLIM_NLIMITS; i++) {
            r[i] = new long[] {INFINITY, INFINITY};
        }
        r[RLIMIT_STACK] = new long[] {8L << 20, INFINITY};
        r[RLIMIT_CORE] = new long[] {0, INFINITY};
        r[RLIMIT_NOFILE] = new long[] {1024, 4096};
        r[RLIMIT_MEMLOCK] = new long[] {8L << 20, 8L << 20};
        r[RLIMIT_NPROC] = new long[] {63_413, 63_413};
        r[RLIMIT_SIGPENDING] = new long[] {63_413, 63_413};
        r[RLIMIT_MSGQUEUE] = new long[] {819_200, 819_200};
        r[RLIMIT_NICE] = new long[] {0, 0};
        r[RLIMIT_RTPRIO] = new long[] {0, 0};
        return r;
    }
}
