package dev.jkernel.kernel;

/** Signal numbers and names (asm-generic/signal.h, as riscv64 uses them). */
public final class Signals {
    private Signals() {}

    public static final int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7,
            SIGFPE = 8, SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13, SIGALRM = 14,
            SIGTERM = 15, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGSYS = 31, NSIG = 64;

    private static final String[] NAMES = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
        "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
        "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
        "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};

    public static final int SIGURG = 23, SIGTSTP = 20, SIGTTIN = 21, SIGTTOU = 22, SIGXCPU = 24, SIGXFSZ = 25,
            SIGWINCH = 28, SIGRTMIN = 32;

    /** The mask bit of a signal (bit sig-1, as in sigset_t). */
    public static long bit(int sig) {
        return 1L << (sig - 1);
    }

    /** SIGKILL and SIGSTOP: never blocked, caught or ignored. */
    public static final long UNBLOCKABLE = bit(SIGKILL) | bit(SIGSTOP);
    static final long STOP_SET = bit(SIGSTOP) | bit(SIGTSTP) | bit(SIGTTIN) | bit(SIGTTOU);
    static final long IGNORE_SET = bit(SIGCHLD) | bit(SIGCONT) | bit(SIGURG) | bit(SIGWINCH);
    static final long CORE_SET = bit(SIGQUIT) | bit(SIGILL) | bit(SIGTRAP) | bit(SIGABRT) | bit(SIGBUS) | bit(SIGFPE)
            | bit(SIGSEGV) | bit(SIGXCPU) | bit(SIGXFSZ) | bit(SIGSYS);
    /** Synchronous (fault) signals are dequeued first. */
    static final long SYNCHRONOUS = bit(SIGSEGV) | bit(SIGBUS) | bit(SIGILL) | bit(SIGTRAP) | bit(SIGFPE)
            | bit(SIGSYS);

    public static boolean valid(int sig) {
        return sig >= 1 && sig <= NSIG;
    }

    public static boolean isStop(int sig) {
        return (STOP_SET & bit(sig)) != 0;
    }

    public static boolean defaultIgnored(int sig) {
        return (IGNORE_SET & bit(sig)) != 0;
    }

    public static boolean dumpsCore(int sig) {
        return (CORE_SET & bit(sig)) != 0;
    }

    /** Real-time signals queue every instance; standard ones coalesce. */
    public static boolean isRealtime(int sig) {
        return sig >= SIGRTMIN;
    }

    /** "SIGSEGV", "SIGRTMIN+3", or "SIG70" for out-of-range numbers. */
    public static String name(int sig) {
        if (sig > 0 && sig < NAMES.length) {
            return NAMES[sig];
        }
        if (sig >= 32 && sig <= 64) {
            return sig == 32 ? "SIGRTMIN" : "SIGRTMIN+" + (sig - 32);
        }
        return "SIG" + sig;
    }
}
