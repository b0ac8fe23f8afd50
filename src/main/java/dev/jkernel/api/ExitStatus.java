package dev.jkernel.api;

/**
 * How a guest process ended: with an exit code, or killed by a signal (possibly with a core dump).
 *
 * @param code        the exit code (0-255) when it exited, else -1
 * @param signal      the signal that killed it, else 0
 * @param coreDumped  whether the killing signal dumped core (as RLIMIT_CORE allowed)
 */
public record ExitStatus(int code, int signal, boolean coreDumped) {
    /** Decodes a Linux wait status. */
    public static ExitStatus fromWaitStatus(int status) {
        int sig = status & 0x7f;
        return sig == 0 ? new ExitStatus((status >> 8) & 0xff, 0, false)
                : new ExitStatus(-1, sig, (status & 0x80) != 0);
    }

    public boolean exited() {
        return signal == 0;
    }

    public boolean signaled() {
        return signal != 0;
    }

    /** The status a shell reports: the exit code, or 128+N for signal N. */
    public int shellStatus() {
        return signal != 0 ? 128 + signal : code;
    }

    @Override
    public String toString() {
        return signal != 0 ? "killed by signal " + signal + (coreDumped ? " (core dumped)" : "") : "exit " + code;
    }
}
