package dev.jkernel.syscall;

import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.Signals;
import dev.jkernel.kernel.Task;
import dev.jkernel.mm.AddressSpace;
import dev.jkernel.mm.GuestFault;

import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/**
 * Prints syscalls in strace's format: {@code openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3}, errors as
 * {@code = -1 ENOENT (No such file or directory)}, the exit as {@code +++ exited with 0 +++}. Arguments are decoded
 * from each syscall's argument description in the {@link SyscallTable}.
 */
public final class Strace {
    /** strace shows this many bytes of a buffer before "...". */
    private static final int STRING_LIMIT = 32;
    /** strace aligns " = result" to this column. */
    private static final int RESULT_COLUMN = 39;
    private static final Set<String> HEX_RESULT = Set.of("mmap", "brk", "mremap", "shmat");

    private final PrintStream out;
    private final SyscallTable table;

    public Strace(PrintStream out, SyscallTable table) {
        this.out = out;
        this.table = table;
    }

    /** What enter() saw, kept for leave(): output arguments are printed after the call. */
    private record Pending(String name, SyscallTable.Entry entry, long[] args, StringBuilder line, int outArg) {}

    /** The first line strace prints for the program it starts. */
    public void execve(String path, List<String> argv, int envc) {
        StringBuilder sb = new StringBuilder("execve(").append(quote(path)).append(", [");
        for (int i = 0; i < argv.size(); i++) {
            sb.append(i > 0 ? ", " : "").append(quote(argv.get(i)));
        }
        sb.append("], 0x0 /* ").append(envc).append(" vars */)");
        finish(null, sb, "0");
    }

    public Object enter(Task t, int nr, SyscallTable.Entry e, long a0, long a1, long a2, long a3, long a4, long a5) {
        long[] args = {a0, a1, a2, a3, a4, a5};
        String name = table.name(nr);
        StringBuilder sb = new StringBuilder(name).append('(');
        int outArg = -1;
        if (e == null) {
            // Unknown to us: strace shows the raw registers of an unimplemented call.
            sb.append(String.format("0x%x, 0x%x, 0x%x, 0x%x, 0x%x, 0x%x", a0, a1, a2, a3, a4, a5));
        } else {
            String[] spec = e.args();
            for (int i = 0; i < spec.length; i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                if (spec[i].startsWith("buf_out") || spec[i].startsWith("iov_out")) {
                    outArg = i;
                    sb.append('\u0000'); // placeholder, filled in by leave()
                } else {
                    sb.append(format(t.mm(), spec[i], args[i], args));
                }
            }
        }
        sb.append(')');
        if ("exit_group".equals(name) || "exit".equals(name)) {
            // These never return: strace prints " = ?" at once.
            finish(t, sb, "?");
            return null;
        }
        return new Pending(name, e, args, sb, outArg);
    }

    public void leave(Task t, Object pending, long ret) {
        if (!(pending instanceof Pending p)) {
            return;
        }
        StringBuilder sb = p.line();
        if (p.outArg() >= 0) {
            String spec = p.entry().args()[p.outArg()];
            long addr = p.args()[p.outArg()];
            String shown;
            if (Errno.isError(ret)) {
                shown = pointer(addr);
            } else if (spec.startsWith("buf_out")) {
                shown = buffer(t.mm(), addr, ret);
            } else {
                shown = iovec(t.mm(), addr, p.args()[Integer.parseInt(spec.substring(spec.indexOf(':') + 1))], ret);
            }
            int at = sb.indexOf("\u0000");
            sb.replace(at, at + 1, shown);
        }
        String result;
        if (ret <= -Errno.ERESTARTSYS && ret >= -Errno.ERESTART_RESTARTBLOCK) {
            int errno = (int) -ret;
            result = "? " + Errno.name(errno) + " (" + Errno.message(errno) + ")";
        } else if (Errno.isError(ret)) {
            int errno = (int) -ret;
            result = "-1 " + Errno.name(errno) + " (" + Errno.message(errno) + ")";
        } else if (HEX_RESULT.contains(p.name())) {
            result = "0x" + Long.toHexString(ret);
        } else {
            result = Long.toString(ret);
        }
        if (!multi && !Errno.isError(ret) && ret > 0 && (p.name().equals("clone") || p.name().equals("clone3"))) {
            finish(t, sb, result);
            multi = true;
            return;
        }
        finish(t, sb, result);
    }

    /** How a process ended, from its wait status: "+++ exited with N +++" or "+++ killed by SIG +++". */
    public void processExit(int pid, int waitStatus) {
        int sig = waitStatus & 0x7f;
        String line = sig != 0 ? "+++ killed by " + Signals.name(sig) + ((waitStatus & 0x80) != 0 ? " (core dumped)"
                : "") + " +++" : "+++ exited with " + ((waitStatus >> 8) & 0xff) + " +++";
        synchronized (out) {
            out.println(prefix(pid) + line);
            out.flush();
        }
    }

    /** Set once a second task exists: from then on every line names its task, as strace -f does. */
    private volatile boolean multi;

    private String prefix(int tid) {
        return multi ? "[pid " + tid + "] " : "";
    }

    private void finish(Task t, StringBuilder sb, String result) {
        while (sb.length() < RESULT_COLUMN) {
            sb.append(' ');
        }
        String line = (t == null ? "" : prefix(t.tid())) + sb.append(" = ").append(result);
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Argument formatting
    // ------------------------------------------------------------------------------------------------------------

    private static String format(AddressSpace mm, String spec, long v, long[] args) {
        int colon = spec.indexOf(':');
        String type = colon < 0 ? spec : spec.substring(0, colon);
        return switch (type) {
            case "fd", "int" -> Integer.toString((int) v);
            case "uint" -> Integer.toUnsignedString((int) v);
            case "hex32" -> "0x" + Integer.toHexString((int) v);
            case "long" -> Long.toString(v);
            case "size" -> Long.toUnsignedString(v);
            case "dirfd" -> (int) v == -100 ? "AT_FDCWD" : Integer.toString((int) v);
            case "path", "str" -> string(mm, v);
            case "buf_in" -> buffer(mm, v, args[Integer.parseInt(spec.substring(colon + 1))]);
            case "iov_in" -> iovec(mm, v, args[Integer.parseInt(spec.substring(colon + 1))], Long.MAX_VALUE);
            case "oflags" -> openFlags((int) v);
            case "mode" -> "0" + Integer.toOctalString((int) v & 07777);
            case "prot" -> flags((int) v, PROT_NAMES, "PROT_NONE");
            case "mapflags" -> mapFlags((int) v);
            case "whence" -> switch ((int) v) {
                case 0 -> "SEEK_SET";
                case 1 -> "SEEK_CUR";
                case 2 -> "SEEK_END";
                case 3 -> "SEEK_DATA";
                case 4 -> "SEEK_HOLE";
                default -> Integer.toString((int) v);
            };
            case "atflags" -> flags((int) v, AT_NAMES, "0");
            case "signal" -> Signals.name((int) v);
            case "rlimit" -> (int) v >= 0 && (int) v < RLIMIT_NAMES.length ? RLIMIT_NAMES[(int) v]
                    : Integer.toString((int) v);
            case "grndflags" -> flags((int) v, GRND_NAMES, "0");
            case "clockid" -> clock((int) v);
            case "futexop" -> futexOp((int) v);
            case "fcntlcmd" -> fcntl((int) v);
            case "ioctlreq" -> ioctl((int) v);
            default -> pointer(v); // ptr, hex, struct and anything not decoded
        };
    }

    private static String pointer(long v) {
        return v == 0 ? "NULL" : "0x" + Long.toHexString(v);
    }

    private static String string(AddressSpace mm, long addr) {
        if (addr == 0) {
            return "NULL";
        }
        try {
            String s = mm.readCString(addr, 4096);
            return s == null ? pointer(addr) : quote(s);
        } catch (GuestFault f) {
            return pointer(addr);
        }
    }

    private static String buffer(AddressSpace mm, long addr, long len) {
        if (len < 0) {
            return pointer(addr);
        }
        int n = (int) Math.min(len, STRING_LIMIT);
        try {
            byte[] b = mm.read(addr, n);
            return escape(b, n) + (len > n ? "..." : "");
        } catch (GuestFault f) {
            return pointer(addr);
        }
    }

    private static String iovec(AddressSpace mm, long addr, long count, long total) {
        if (count < 0 || count > 1024) {
            return pointer(addr);
        }
        StringBuilder sb = new StringBuilder("[");
        long left = total;
        try {
            for (int i = 0; i < count; i++) {
                long base = mm.read64(addr + 16L * i);
                long len = mm.read64(addr + 16L * i + 8);
                if (i > 0) {
                    sb.append(", ");
                }
                if (i >= 8) {
                    sb.append("...");
                    break;
                }
                long shown = Math.max(0, Math.min(len, left));
                left -= shown;
                sb.append("{iov_base=").append(buffer(mm, base, shown)).append(", iov_len=").append(len).append('}');
            }
        } catch (GuestFault f) {
            return pointer(addr);
        }
        return sb.append(']').toString();
    }

    static String quote(String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return escape(b, b.length);
    }

    private static String escape(byte[] b, int n) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < n; i++) {
            int c = b[i] & 0xff;
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                case '\f' -> sb.append("\\f");
                case 0x0b -> sb.append("\\v");
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c >= 0x20 && c < 0x7f) {
                        sb.append((char) c);
                    } else {
                        sb.append('\\').append(Integer.toOctalString(c));
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    private static final String[] RLIMIT_NAMES = {"RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK",
        "RLIMIT_CORE", "RLIMIT_RSS", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS",
        "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME"};
    private static final String[][] GRND_NAMES = {{"1", "GRND_NONBLOCK"}, {"2", "GRND_RANDOM"}, {"4", "GRND_INSECURE"}};
    private static final String[][] PROT_NAMES = {{"1", "PROT_READ"}, {"2", "PROT_WRITE"}, {"4", "PROT_EXEC"}};
    private static final String[][] AT_NAMES = {{"256", "AT_SYMLINK_NOFOLLOW"}, {"512", "AT_REMOVEDIR"},
        {"1024", "AT_SYMLINK_FOLLOW"}, {"2048", "AT_NO_AUTOMOUNT"}, {"4096", "AT_EMPTY_PATH"}, {"512", "AT_EACCESS"}};
    private static final String[][] MAP_NAMES = {{"16", "MAP_FIXED"}, {"32", "MAP_ANONYMOUS"}, {"256", "MAP_GROWSDOWN"},
        {"2048", "MAP_DENYWRITE"}, {"4096", "MAP_EXECUTABLE"}, {"8192", "MAP_LOCKED"}, {"16384", "MAP_NORESERVE"},
        {"32768", "MAP_POPULATE"}, {"65536", "MAP_NONBLOCK"}, {"131072", "MAP_STACK"}, {"262144", "MAP_HUGETLB"},
        {"524288", "MAP_SYNC"}, {"1048576", "MAP_FIXED_NOREPLACE"}};
    private static final String[][] O_NAMES = {{"64", "O_CREAT"}, {"128", "O_EXCL"}, {"256", "O_NOCTTY"},
        {"512", "O_TRUNC"}, {"1024", "O_APPEND"}, {"2048", "O_NONBLOCK"}, {"4096", "O_DSYNC"}, {"8192", "O_ASYNC"},
        {"16384", "O_DIRECT"}, {"32768", "O_LARGEFILE"}, {"65536", "O_DIRECTORY"}, {"131072", "O_NOFOLLOW"},
        {"262144", "O_NOATIME"}, {"524288", "O_CLOEXEC"}, {"2097152", "O_PATH"}};

    private static String flags(int v, String[][] names, String zero) {
        if (v == 0) {
            return zero;
        }
        StringBuilder sb = new StringBuilder();
        int left = v;
        for (String[] n : names) {
            int bit = Integer.parseInt(n[0]);
            if ((left & bit) != 0) {
                sb.append(sb.isEmpty() ? "" : "|").append(n[1]);
                left &= ~bit;
            }
        }
        if (left != 0) {
            sb.append(sb.isEmpty() ? "" : "|").append("0x").append(Integer.toHexString(left));
        }
        return sb.toString();
    }

    private static String openFlags(int v) {
        String acc = switch (v & 3) {
            case 0 -> "O_RDONLY";
            case 1 -> "O_WRONLY";
            case 2 -> "O_RDWR";
            default -> "0x3";
        };
        int rest = v & ~3;
        // O_TMPFILE is __O_TMPFILE | O_DIRECTORY.
        String more = flags(rest, O_NAMES, "");
        return more.isEmpty() ? acc : acc + "|" + more;
    }

    private static String mapFlags(int v) {
        String type = switch (v & 0xf) {
            case 1 -> "MAP_SHARED";
            case 2 -> "MAP_PRIVATE";
            case 3 -> "MAP_SHARED_VALIDATE";
            default -> "0x" + Integer.toHexString(v & 0xf);
        };
        String more = flags(v & ~0xf, MAP_NAMES, "");
        return more.isEmpty() ? type : type + "|" + more;
    }

    private static String clock(int v) {
        String[] names = {"CLOCK_REALTIME", "CLOCK_MONOTONIC", "CLOCK_PROCESS_CPUTIME_ID", "CLOCK_THREAD_CPUTIME_ID",
            "CLOCK_MONOTONIC_RAW", "CLOCK_REALTIME_COARSE", "CLOCK_MONOTONIC_COARSE", "CLOCK_BOOTTIME",
            "CLOCK_REALTIME_ALARM", "CLOCK_BOOTTIME_ALARM", null, "CLOCK_TAI"};
        return v >= 0 && v < names.length && names[v] != null ? names[v] : Integer.toString(v);
    }

    private static String futexOp(int v) {
        String[] names = {"FUTEX_WAIT", "FUTEX_WAKE", "FUTEX_FD", "FUTEX_REQUEUE", "FUTEX_CMP_REQUEUE",
            "FUTEX_WAKE_OP", "FUTEX_LOCK_PI", "FUTEX_UNLOCK_PI", "FUTEX_TRYLOCK_PI", "FUTEX_WAIT_BITSET",
            "FUTEX_WAKE_BITSET", "FUTEX_WAIT_REQUEUE_PI", "FUTEX_CMP_REQUEUE_PI", "FUTEX_LOCK_PI2"};
        int cmd = v & ~(128 | 256);
        if (cmd < 0 || cmd >= names.length) {
            return Integer.toString(v);
        }
        return names[cmd] + ((v & 128) != 0 ? "_PRIVATE" : "") + ((v & 256) != 0 ? "|FUTEX_CLOCK_REALTIME" : "");
    }

    private static String fcntl(int v) {
        return switch (v) {
            case 0 -> "F_DUPFD";
            case 1 -> "F_GETFD";
            case 2 -> "F_SETFD";
            case 3 -> "F_GETFL";
            case 4 -> "F_SETFL";
            case 5 -> "F_GETLK";
            case 6 -> "F_SETLK";
            case 7 -> "F_SETLKW";
            case 1030 -> "F_DUPFD_CLOEXEC";
            default -> Integer.toString(v);
        };
    }

    private static String ioctl(int v) {
        return switch (v) {
            case 0x5401 -> "TCGETS";
            case 0x5402 -> "TCSETS";
            case 0x5413 -> "TIOCGWINSZ";
            case 0x541B -> "FIONREAD";
            case 0x5421 -> "FIONBIO";
            case 0x5451 -> "FIOCLEX";
            case 0x5450 -> "FIONCLEX";
            default -> "0x" + Integer.toHexString(v);
        };
    }
}
