package dev.jkernel.api;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * struct stat as stat(2) fills it (riscv64's asm-generic layout).
 *
 * @param mode   file type and permission bits (S_IFMT etc.)
 * @param mtimeNanos modification time in nanoseconds since the epoch
 */
public record FileStat(long dev, long ino, int mode, int nlink, int uid, int gid, long rdev, long size, int blksize,
        long blocks, long atimeNanos, long mtimeNanos, long ctimeNanos) {
    public static final int S_IFMT = 0170000, S_IFDIR = 0040000, S_IFREG = 0100000, S_IFLNK = 0120000,
            S_IFIFO = 0010000, S_IFCHR = 0020000;

    static FileStat parse(byte[] raw) {
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        return new FileStat(b.getLong(0), b.getLong(8), b.getInt(16), b.getInt(20), b.getInt(24), b.getInt(28),
                b.getLong(32), b.getLong(48), b.getInt(56), b.getLong(64),
                b.getLong(72) * 1_000_000_000L + b.getLong(80), b.getLong(88) * 1_000_000_000L + b.getLong(96),
                b.getLong(104) * 1_000_000_000L + b.getLong(112));
    }

    public boolean isDirectory() {
        return (mode & S_IFMT) == S_IFDIR;
    }

    public boolean isRegularFile() {
        return (mode & S_IFMT) == S_IFREG;
    }

    public boolean isSymlink() {
        return (mode & S_IFMT) == S_IFLNK;
    }

    /** The permission bits (mode & 07777). */
    public int permissions() {
        return mode & 07777;
    }
}
