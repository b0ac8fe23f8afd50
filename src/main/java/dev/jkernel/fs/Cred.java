package dev.jkernel.fs;

import dev.jkernel.kernel.Task;

/**
 * Who asks (the fsuid and fsgid of Linux's struct cred): what permission checks and the owner of new files come
 * from. uid 0 has Linux's CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_CHOWN and CAP_FSETID.
 */
public record Cred(int uid, int gid) {
    /** The kernel itself (lookups made without a task). */
    public static final Cred ROOT = new Cred(0, 0);

    public static Cred of(Task t) {
        return t == null ? ROOT : new Cred(t.uid, t.gid);
    }

    public boolean isRoot() {
        return uid == 0;
    }

    /**
     * generic_permission: may this caller read (4), write (2) and/or search-or-execute (1) a file with this mode and
     * owner? Root may read and write anything, search any directory and execute a file with some execute bit.
     */
    public boolean permits(int mode, int ownerUid, int ownerGid, int mask) {
        mask &= 7;
        if (uid == 0) {
            return (mask & 1) == 0 || (mode & Stat.S_IFMT) == Stat.S_IFDIR || (mode & 0111) != 0;
        }
        int bits = uid == ownerUid ? mode >> 6 : gid == ownerGid ? mode >> 3 : mode;
        return (bits & mask) == mask;
    }
}
