package dev.jkernel.kernel;

/** The run loop: STUB, being written on main. */
final class Entry {
    private Entry() {}

    static int runUser(Task t) {
        return 0;
    }
}
