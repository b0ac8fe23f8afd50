package dev.jkernel.syscall;

import dev.jkernel.arch.Arch;
import dev.jkernel.kernel.Errno;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The single source of which syscalls exist, what implements them and how well (gVisor's syscall table). Handlers
 * register by Linux name; the architecture supplies the numbers. The documentation's status table is generated from
 * this (see {@link #statusMarkdown()}).
 */
public final class SyscallTable {

    /** How completely a syscall follows Linux. */
    public enum Status {
        /** Linux semantics for every argument the guest can pass. */
        FULL,
        /** Linux semantics for the common cases; the note says what differs or is missing. */
        PARTIAL,
        /** Answers -ENOSYS (or a fixed honest error) on purpose; the note says why. */
        UNSUPPORTED
    }

    /**
     * One syscall. {@code args} describes the arguments for --strace, one token per argument (see Strace for the
     * types: fd, dirfd, path, str, int, uint, long, hex, ptr, oflags, mode, prot, mapflags, whence, atflags,
     * buf_in:N, buf_out:N, iov_in:N, iov_out:N ...).
     */
    public record Entry(int number, String name, SyscallHandler handler, Status status, String[] args, String note) {}

    /** Collects registrations from the syscall families. */
    public static final class Builder {
        private final Map<String, Entry> byName = new LinkedHashMap<>();
        private final Map<String, Integer> numbers;

        Builder(Map<String, Integer> numbers) {
            this.numbers = numbers;
        }

        public Builder add(String name, SyscallHandler handler, Status status, String args, String note) {
            Integer nr = numbers.get(name);
            if (nr == null) {
                throw new IllegalArgumentException("syscall " + name + " does not exist on this architecture");
            }
            if (byName.containsKey(name)) {
                throw new IllegalArgumentException("syscall " + name + " registered twice");
            }
            String[] a = args == null || args.isBlank() ? new String[0] : args.trim().split("\\s+");
            byName.put(name, new Entry(nr, name, handler, status, a, note == null ? "" : note));
            return this;
        }

        public Builder add(String name, SyscallHandler handler, Status status, String args) {
            return add(name, handler, status, args, "");
        }
    }

    /** A family of syscalls (file, memory, process, ...) registers itself here. */
    public interface Family {
        void register(Builder b);
    }

    private final Entry[] byNumber;
    private final Map<Integer, String> names = new TreeMap<>();

    public SyscallTable(Arch arch, List<Family> families) {
        Builder b = new Builder(arch.syscallNumbers());
        for (Family f : families) {
            f.register(b);
        }
        int max = 0;
        for (int n : arch.syscallNumbers().values()) {
            max = Math.max(max, n);
        }
        byNumber = new Entry[max + 1];
        arch.syscallNumbers().forEach((name, nr) -> names.put(nr, name));
        for (Entry e : b.byName.values()) {
            byNumber[e.number()] = e;
        }
    }

    /** The entry for syscall number nr, or null when nothing implements it (the guest gets -ENOSYS). */
    public Entry get(int nr) {
        return nr >= 0 && nr < byNumber.length ? byNumber[nr] : null;
    }

    /** Linux's name for nr on this architecture, or "syscall_N". */
    public String name(int nr) {
        String n = names.get(nr);
        return n != null ? n : "syscall_" + nr;
    }

    /** All implemented entries, by number. */
    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        for (Entry e : byNumber) {
            if (e != null) {
                out.add(e);
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** The syscall status table of docs/SYSCALLS.md: every syscall the architecture has, implemented or not. */
    public String statusMarkdown() {
        StringBuilder sb = new StringBuilder();
        int full = 0, partial = 0, unsupported = 0;
        for (Entry e : entries()) {
            switch (e.status()) {
                case FULL -> full++;
                case PARTIAL -> partial++;
                case UNSUPPORTED -> unsupported++;
            }
        }
        sb.append("| nr | syscall | status | notes |\n|---:|---|---|---|\n");
        for (Map.Entry<Integer, String> n : names.entrySet()) {
            Entry e = get(n.getKey());
            String status = e == null ? "ENOSYS" : e.status().name().toLowerCase();
            String note = e == null ? "not implemented: answers -" + Errno.name(Errno.ENOSYS) : e.note();
            sb.append("| ").append(n.getKey()).append(" | ").append(n.getValue()).append(" | ").append(status)
                    .append(" | ").append(note.replace("|", "\\|")).append(" |\n");
        }
        return "Implemented: " + full + " full, " + partial + " partial, " + unsupported
                + " deliberately unsupported, of " + names.size() + " riscv64 syscalls.\n\n" + sb;
    }
}
