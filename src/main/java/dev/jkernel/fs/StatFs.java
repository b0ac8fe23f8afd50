package dev.jkernel.fs;

/** What statfs(2) reports about a file system (struct kstatfs), in blocks of {@code bsize} bytes. */
public record StatFs(long type, long bsize, long blocks, long bfree, long bavail, long files, long ffree,
        long flags) {
    /** f_flags: the mount is read-only. */
    public static final long ST_RDONLY = 1;

    public StatFs withFlags(long f) {
        return new StatFs(type, bsize, blocks, bfree, bavail, files, ffree, f);
    }
}
