package dev.jkernel.loader;

import dev.jkernel.kernel.ErrnoException;
import dev.jkernel.kernel.Task;

import java.util.List;

/** execve: STUB, being written on main. */
public final class Exec {
    private Exec() {}

    /** A file that is not a loadable riscv64 ELF: the message says what is wrong with it. */
    public static final class ExecFormatException extends Exception {
        public ExecFormatException(String message) {
            super(message, null, false, false);
        }
    }

    public static void execve(Task t, String path, List<String> argv, List<String> envp)
            throws ErrnoException, ExecFormatException {
        throw new ErrnoException(8);
    }
}
