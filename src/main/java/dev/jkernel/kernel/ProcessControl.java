package dev.jkernel.kernel;

/** Process groups, sessions and pidfds (Linux's kernel/sys.c setpgid/setsid and kernel/pid.c pidfd_open). */
public final class ProcessControl {
    private ProcessControl() {}

    static final int O_NONBLOCK = 04000, PIDFD_THREAD = 0200;

    /** setpgid(2), with Linux's checks in Linux's order. */
    public static long setpgid(Task t, int pid, int pgid) {
        Kernel k = t.kernel();
        if (pid == 0) {
            pid = t.tgid();
        }
        if (pgid == 0) {
            pgid = pid;
        }
        if (pgid < 0) {
            return -Errno.EINVAL;
        }
        synchronized (k.tasklist) {
            Proc self = t.proc;
            Proc p = k.procs.get(pid);
            if (p == null || p.state != Proc.State.ALIVE) {
                return -Errno.ESRCH;
            }
            if (p != self) {
                if (p.parent != self) {
                    return -Errno.ESRCH;
                }
                if (p.sid != self.sid) {
                    return -Errno.EPERM;
                }
                if (p.execed) {
                    return -Errno.EACCES;
                }
            }
            if (p.sid == p.tgid) {
                return -Errno.EPERM; // a session leader cannot move
            }
            if (pgid != p.tgid) {
                boolean found = false;
                for (Proc q : k.procs.values()) {
                    if (q.pgid == pgid && q.sid == self.sid && q.state == Proc.State.ALIVE) {
                        found = true;
                        break;
                    }
                }
                if (!found) {
                    return -Errno.EPERM;
                }
            }
            p.pgid = pgid;
            return 0;
        }
    }

    public static long getpgid(Task t, int pid) {
        Kernel k = t.kernel();
        synchronized (k.tasklist) {
            Proc p = pid == 0 ? t.proc : k.procs.get(pid);
            return p == null || p.state == Proc.State.REAPED ? -Errno.ESRCH : p.pgid;
        }
    }

    public static long getsid(Task t, int pid) {
        Kernel k = t.kernel();
        synchronized (k.tasklist) {
            Proc p = pid == 0 ? t.proc : k.procs.get(pid);
            return p == null || p.state == Proc.State.REAPED ? -Errno.ESRCH : p.sid;
        }
    }

    /** setsid(2): EPERM if a process group with the caller's id exists (it leads one already). */
    public static long setsid(Task t) {
        Kernel k = t.kernel();
        synchronized (k.tasklist) {
            Proc self = t.proc;
            for (Proc q : k.procs.values()) {
                if (q.pgid == self.tgid && q.state != Proc.State.REAPED) {
                    return -Errno.EPERM;
                }
            }
            self.sid = self.tgid;
            self.pgid = self.tgid;
            return self.tgid;
        }
    }

    /** pidfd_open(2). */
    public static long pidfdOpen(Task t, int pid, long flags) {
        if ((flags & ~(long) (O_NONBLOCK | PIDFD_THREAD)) != 0 || (flags & PIDFD_THREAD) != 0 || pid <= 0) {
            return -Errno.EINVAL;
        }
        Kernel k = t.kernel();
        Proc p;
        synchronized (k.tasklist) {
            p = k.procs.get(pid);
            if (p == null || p.state == Proc.State.REAPED || p.tgid != pid) {
                return -Errno.ESRCH;
            }
        }
        return PidFd.install(t, p, (int) flags & O_NONBLOCK);
    }
}
