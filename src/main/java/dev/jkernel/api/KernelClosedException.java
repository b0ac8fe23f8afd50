package dev.jkernel.api;

/** The kernel has been closed: it runs nothing any more, and a call blocked in it when it closed ends with this. */
public final class KernelClosedException extends IllegalStateException {
    public KernelClosedException() {
        super("the kernel is closed");
    }
}
