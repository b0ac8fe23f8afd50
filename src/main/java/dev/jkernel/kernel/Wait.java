package dev.jkernel.kernel;

import dev.jkernel.mm.GuestFault;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * wait4 and waitid (Linux's do_wait): find an eligible child, reap it (or just look, with WNOWAIT), or sleep until one
 * changes state.
 */
public final class Wait {
    private Wait() {}

    public static final int WNOHANG = 1, WUNTRACED = 2, WSTOPPED = 2, WEXITED = 4, WCONTINUED = 8,
            WNOWAIT = 0x01000000, WNOTHREAD = 0x20000000, WALL = 0x40000000, WCLONE = 0x80000000;
    public static final int P_ALL = 0, P_PID = 1, P_PGID = 2, P_PIDFD = 3;
    static final int SIGCHLD = 17;
    static final int CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3;

    /** Which children a wait is about. */
    record Selector(int type, int id, Proc pidfdTarget) {
        boolean matches(Proc c) {
            return switch (type) {
                case P_ALL -> true;
                case P_PID -> c.tgid == id;
                case P_PGID -> c.pgid == id;
                default -> c == pidfdTarget;
            };
        }
    }

    /** What a successful wait found. */
    record Found(int pid, int status, int uid) {}

    public static long wait4(Task t, long pidArg, long statusAddr, long optionsArg, long rusageAddr)
            throws GuestFault {
        int pid = (int) pidArg;
        int options = (int) optionsArg;
        if ((options & ~(WNOHANG | WUNTRACED | WCONTINUED | WNOTHREAD | WCLONE | WALL)) != 0) {
            return -Errno.EINVAL;
        }
        if (pid == Integer.MIN_VALUE) {
            return -Errno.ESRCH;
        }
        Selector sel;
        if (pid < -1) {
            sel = new Selector(P_PGID, -pid, null);
        } else if (pid == -1) {
            sel = new Selector(P_ALL, 0, null);
        } else if (pid == 0) {
            sel = new Selector(P_PGID, t.proc().pgid(), null);
        } else {
            sel = new Selector(P_PID, pid, null);
        }
        Object r = doWait(t, sel, options | WEXITED);
        if (r instanceof Long err) {
            return err;
        }
        if (r == null) {
            return 0;
        }
        Found f = (Found) r;
        if (statusAddr != 0) {
            t.mm().write32(statusAddr, f.status());
        }
        if (rusageAddr != 0) {
            t.mm().write(rusageAddr, new byte[144]);
        }
        return f.pid();
    }

    public static long waitid(Task t, long typeArg, long idArg, long infop, long optionsArg, long rusageAddr)
            throws GuestFault {
        int type = (int) typeArg;
        int options = (int) optionsArg;
        if ((options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | WNOTHREAD | WCLONE | WALL)) != 0
                || (options & (WEXITED | WSTOPPED | WCONTINUED)) == 0) {
            return -Errno.EINVAL;
        }
        int id = (int) idArg;
        Selector sel;
        switch (type) {
            case P_ALL -> sel = new Selector(P_ALL, 0, null);
            case P_PID -> {
                if (id <= 0) {
                    return -Errno.EINVAL;
                }
                sel = new Selector(P_PID, id, null);
            }
            case P_PGID -> {
                if (id < 0) {
                    return -Errno.EINVAL;
                }
                sel = new Selector(P_PGID, id == 0 ? t.proc().pgid() : id, null);
            }
            case P_PIDFD -> {
                if (id < 0) {
                    return -Errno.EINVAL;
                }
                Proc target = PidFd.target(t, id);
                if (target == null) {
                    return -Errno.EBADF;
                }
                sel = new Selector(P_PIDFD, 0, target);
            }
            default -> {
                return -Errno.EINVAL;
            }
        }
        Object r = doWait(t, sel, options);
        if (r instanceof Long err) {
            return err;
        }
        if (infop != 0) {
            ByteBuffer b = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
            if (r != null) {
                Found f = (Found) r;
                int st = f.status();
                int code, status;
                if (st == 0xffff) {
                    code = SigInfo.CLD_CONTINUED;
                    status = Signals.SIGCONT;
                } else if ((st & 0xff) == 0x7f) {
                    code = SigInfo.CLD_STOPPED;
                    status = (st >> 8) & 0xff;
                } else if ((st & 0x7f) == 0) {
                    code = CLD_EXITED;
                    status = (st >> 8) & 0xff;
                } else {
                    code = (st & 0x80) != 0 ? CLD_DUMPED : CLD_KILLED;
                    status = st & 0x7f;
                }
                b.putInt(0, SIGCHLD);
                b.putInt(8, code);
                b.putInt(16, f.pid());
                b.putInt(20, f.uid());
                b.putInt(24, status);
            }
            t.mm().write(infop, b.array());
        }
        if (rusageAddr != 0) {
            t.mm().write(rusageAddr, new byte[144]);
        }
        return 0;
    }

    /**
     * The common part: returns a Found, null (WNOHANG and nothing ready), or a Long -errno.
     */
    private static Object doWait(Task t, Selector sel, int options) {
        Kernel k = t.kernel();
        Proc self = t.proc();
        Object[] result = new Object[1];
        int r = self.childWait.await(t, () -> {
            synchronized (k.tasklist) {
                boolean any = false;
                for (Proc c : self.children) {
                    if (!sel.matches(c) || !eligibleByClone(c, options)) {
                        continue;
                    }
                    any = true;
                    if ((options & WSTOPPED) != 0 && c.state == Proc.State.ALIVE && c.stopReport != -1) {
                        result[0] = new Found(c.tgid, c.stopReport, t.uid);
                        if ((options & WNOWAIT) == 0) {
                            c.stopReport = -1;
                        }
                        return true;
                    }
                    if ((options & WCONTINUED) != 0 && c.state == Proc.State.ALIVE && c.continuedReport) {
                        result[0] = new Found(c.tgid, 0xffff, t.uid);
                        if ((options & WNOWAIT) == 0) {
                            c.continuedReport = false;
                        }
                        return true;
                    }
                    if ((options & WEXITED) != 0 && c.state == Proc.State.ZOMBIE) {
                        Found f = new Found(c.tgid, c.waitStatus, t.uid);
                        if ((options & WNOWAIT) == 0) {
                            Exit.release(k, c);
                        }
                        result[0] = f;
                        return true;
                    }
                }
                if (!any) {
                    result[0] = (long) -Errno.ECHILD;
                    return true;
                }
                if ((options & WNOHANG) != 0) {
                    result[0] = null;
                    return true;
                }
                return false;
            }
        }, WaitQueue.FOREVER, true);
        if (r == WaitQueue.INTERRUPTED) {
            return (long) -Errno.ERESTARTSYS;
        }
        return result[0];
    }

    /** __WCLONE / __WALL: a "clone child" is one that does not report to its parent with SIGCHLD. */
    private static boolean eligibleByClone(Proc c, int options) {
        if ((options & WALL) != 0) {
            return true;
        }
        boolean cloneChild = c.exitSignal != SIGCHLD;
        return ((options & WCLONE) != 0) == cloneChild;
    }
}
