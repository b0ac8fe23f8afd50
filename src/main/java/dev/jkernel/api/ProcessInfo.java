package dev.jkernel.api;

/**
 * One process of a kernel, as {@link JKernel#processes()} lists it.
 *
 * @param pid           its pid
 * @param ppid          its parent's pid (0 for init and kthreadd)
 * @param command       its command name (comm: at most 15 bytes)
 * @param state         R running, S sleeping, T stopped, Z zombie (as /proc/PID/stat)
 * @param kernelThread  whether it is a kernel thread (no user memory)
 */
public record ProcessInfo(int pid, int ppid, String command, char state, boolean kernelThread) {}
