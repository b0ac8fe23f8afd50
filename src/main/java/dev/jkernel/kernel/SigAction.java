package dev.jkernel.kernel;

/**
 * One signal's disposition (struct k_sigaction as riscv64 passes it: handler, flags, mask; riscv ignores
 * sa_restorer and returns through the vDSO).
 */
public record SigAction(long handler, long flags, long mask, long restorer) {
    public static final long SIG_DFL = 0, SIG_IGN = 1;
    public static final long SA_NOCLDSTOP = 1, SA_NOCLDWAIT = 2, SA_SIGINFO = 4, SA_RESTORER = 0x04000000L,
            SA_ONSTACK = 0x08000000L, SA_RESTART = 0x10000000L, SA_NODEFER = 0x40000000L,
            SA_RESETHAND = 0x80000000L, SA_EXPOSE_TAGBITS = 0x00000800L, SA_UNSUPPORTED = 0x00000400L;

    public static final SigAction DEFAULT = new SigAction(SIG_DFL, 0, 0, 0);

    public boolean isDefault() {
        return handler == SIG_DFL;
    }

    public boolean isIgnore() {
        return handler == SIG_IGN;
    }

    public boolean has(long flag) {
        return (flags & flag) != 0;
    }
}
