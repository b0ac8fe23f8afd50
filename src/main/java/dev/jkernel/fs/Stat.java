package dev.jkernel.fs;

import dev.jkernel.mm.AddressSpace;
import dev.jkernel.mm.GuestFault;

import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;

/** The fields of Linux's struct kstat, and their riscv64 user layouts (struct stat, struct statx). */
public record Stat(long dev, long ino, int mode, long nlink, int uid, int gid, long rdev, long size, int blksize,
        long blocks, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec, long ctimeSec, long ctimeNsec) {

    public static final int S_IFMT = 0170000, S_IFSOCK = 0140000, S_IFLNK = 0120000, S_IFREG = 0100000,
            S_IFBLK = 0060000, S_IFDIR = 0040000, S_IFCHR = 0020000, S_IFIFO = 0010000;

    /** Linux's userspace dev_t encoding (new_encode_dev), as glibc and the host's stat report it. */
    public static long makedev(long major, long minor) {
        return (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xffL) << 12) | ((major & ~0xfffL) << 32);
    }

    public static long major(long dev) {
        return ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
    }

    public static long minor(long dev) {
        return (dev & 0xff) | ((dev >>> 12) & ~0xffL);
    }

    /** When this JVM started using Stat, nanoseconds since the epoch: the times of files no kernel clock reaches. */
    public static final long JVM_START_NANOS = epochNanos(Instant.now());

    private static long epochNanos(Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    /** A synthetic file's stat: times are the JVM's start (for files no kernel clock reaches). */
    public static Stat synthetic(long dev, long ino, int mode, long rdev, long size) {
        return synthetic(JVM_START_NANOS, dev, ino, mode, rdev, size);
    }

    /** A synthetic file's stat with every time {@code timeNanos} (nanoseconds since the epoch). */
    public static Stat synthetic(long timeNanos, long dev, long ino, int mode, long rdev, long size) {
        long sec = Math.floorDiv(timeNanos, 1_000_000_000L);
        long ns = Math.floorMod(timeNanos, 1_000_000_000L);
        return new Stat(dev, ino, mode, (mode & S_IFMT) == S_IFDIR ? 2 : 1, 0, 0, rdev, size, 4096,
                0, sec, ns, sec, ns, sec, ns);
    }


    /** From {@code Files.readAttributes(p, "unix:*", ...)}. */
    public static Stat fromHost(Map<String, Object> a) {
        long size = ((Number) a.get("size")).longValue();
        Instant at = ((FileTime) a.get("lastAccessTime")).toInstant();
        Instant mt = ((FileTime) a.get("lastModifiedTime")).toInstant();
        Instant ct = ((FileTime) a.get("ctime")).toInstant();
        int mode = ((Number) a.get("mode")).intValue();
        // The JDK does not report st_blocks: assume a non-sparse file in 4 KiB blocks (512-byte units).
        long blocks = (mode & S_IFMT) == S_IFLNK ? 0 : ((size + 4095) / 4096) * 8;
        return new Stat(((Number) a.get("dev")).longValue(), ((Number) a.get("ino")).longValue(), mode,
                ((Number) a.get("nlink")).longValue(), ((Number) a.get("uid")).intValue(),
                ((Number) a.get("gid")).intValue(), ((Number) a.get("rdev")).longValue(), size, 4096, blocks,
                at.getEpochSecond(), at.getNano(), mt.getEpochSecond(), mt.getNano(), ct.getEpochSecond(),
                ct.getNano());
    }

    public Stat withNlink(long n) {
        return new Stat(dev, ino, mode, n, uid, gid, rdev, size, blksize, blocks, atimeSec, atimeNsec, mtimeSec,
                mtimeNsec, ctimeSec, ctimeNsec);
    }

    public Stat withSize(long s) {
        return new Stat(dev, ino, mode, nlink, uid, gid, rdev, s, blksize, ((s + 4095) / 4096) * 8, atimeSec,
                atimeNsec, mtimeSec, mtimeNsec, ctimeSec, ctimeNsec);
    }

    public int type() {
        return mode & S_IFMT;
    }

    /** asm-generic struct stat: 128 bytes. */
    public byte[] toStat() {
        byte[] b = new byte[128];
        put(b, 0, dev, 8);
        put(b, 8, ino, 8);
        put(b, 16, mode, 4);
        put(b, 20, nlink, 4);
        put(b, 24, uid, 4);
        put(b, 28, gid, 4);
        put(b, 32, rdev, 8);
        put(b, 48, size, 8);
        put(b, 56, blksize, 4);
        put(b, 64, blocks, 8);
        put(b, 72, atimeSec, 8);
        put(b, 80, atimeNsec, 8);
        put(b, 88, mtimeSec, 8);
        put(b, 96, mtimeNsec, 8);
        put(b, 104, ctimeSec, 8);
        put(b, 112, ctimeNsec, 8);
        return b;
    }

    public static final int STATX_BASIC_STATS = 0x7ff;

    /** struct statx: 256 bytes. Reports STATX_BASIC_STATS (no birth time: the JDK cannot tell it apart). */
    public byte[] toStatx() {
        byte[] b = new byte[256];
        put(b, 0, STATX_BASIC_STATS, 4);
        put(b, 4, blksize, 4);
        put(b, 16, nlink, 4);
        put(b, 20, uid, 4);
        put(b, 24, gid, 4);
        put(b, 28, mode, 2);
        put(b, 32, ino, 8);
        put(b, 40, size, 8);
        put(b, 48, blocks, 8);
        put(b, 64, atimeSec, 8);
        put(b, 72, atimeNsec, 4);
        put(b, 96, ctimeSec, 8);
        put(b, 104, ctimeNsec, 4);
        put(b, 112, mtimeSec, 8);
        put(b, 120, mtimeNsec, 4);
        put(b, 128, major(rdev), 4);
        put(b, 132, minor(rdev), 4);
        put(b, 136, major(dev), 4);
        put(b, 140, minor(dev), 4);
        return b;
    }

    public void writeStat(AddressSpace mm, long addr) throws GuestFault {
        mm.write(addr, toStat());
    }

    static void put(byte[] b, int off, long v, int size) {
        for (int i = 0; i < size; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }
}
