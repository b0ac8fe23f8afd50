package dev.jkernel.fs;

import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;
import dev.jkernel.kernel.Task;

import java.io.IOException;
import java.nio.file.AccessMode;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A file of a host directory mounted in the guest (the root, a mount, or the sysroot). The host checks permissions:
 * jkernel runs as the host user. Paths never hold a symlink before their last component: the Vfs resolves symlinks
 * itself, in the guest's namespace.
 */
public final class HostNode extends Node {
    final Vfs vfs;
    final Mount mnt;
    /** The host path; never has a symlink before its last component. */
    public final Path host;
    private Map<String, Object> attrs;
    private boolean looked;

    HostNode(Vfs vfs, Mount mnt, Path host, String guest) {
        super(guest);
        this.vfs = vfs;
        this.mnt = mnt;
        this.host = host;
    }

    private Map<String, Object> attrs() throws ErrnoException {
        if (!looked) {
            try {
                attrs = Files.readAttributes(host, "unix:*", LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                attrs = null;
            } catch (IOException | RuntimeException e) {
                throw IoErrors.of(e);
            }
            looked = true;
        }
        return attrs;
    }

    /** Forgets cached attributes (after the syscall changed the file). */
    @Override
    public HostNode fresh() {
        return new HostNode(vfs, mnt, host, guest);
    }

    @Override
    public boolean exists() {
        try {
            return attrs() != null;
        } catch (ErrnoException e) {
            return false;
        }
    }

    @Override
    public int type() throws ErrnoException {
        Map<String, Object> a = attrs();
        return a == null ? 0 : ((Number) a.get("mode")).intValue() & Stat.S_IFMT;
    }

    @Override
    public Mount mount() {
        return mnt;
    }

    @Override
    public boolean inFileSystem() {
        return true;
    }

    @Override
    public boolean isDeleted() {
        return !Files.exists(host, LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public boolean sameFile(Node other) {
        if (!(other instanceof HostNode o)) {
            return false;
        }
        try {
            return Files.isSameFile(host, o.host);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public String readlink(Task t) throws ErrnoException {
        if (!isSymlink()) {
            throw new ErrnoException(exists() ? Errno.EINVAL : Errno.ENOENT);
        }
        try {
            return Files.readSymbolicLink(host).toString();
        } catch (IOException | RuntimeException e) {
            throw IoErrors.of(e);
        }
    }

    @Override
    public Node child(Task t, String name) {
        return new HostNode(vfs, mnt, host.resolve(name), childOf(guest, name));
    }

    /** The directory above, never above the mounted directory (the Vfs leaves a mount's top through ".."). */
    @Override
    public Node parent(Task t) {
        if (host.equals(mnt.hostDir) || host.getParent() == null) {
            return this;
        }
        return new HostNode(vfs, mnt, host.getParent(), parentOf(guest));
    }

    @Override
    public Stat stat(Task t) throws ErrnoException {
        Map<String, Object> a = attrs();
        if (a == null) {
            throw new ErrnoException(Errno.ENOENT);
        }
        return Stat.fromHost(a);
    }

    @Override
    public OpenFile open(Task t, int flags) throws ErrnoException {
        flags &= ~OpenFile.FMODE_EXEC;
        int type = type();
        if (type == 0) {
            throw new ErrnoException(Errno.ENOENT);
        }
        if ((flags & OpenFile.O_PATH) != 0) {
            return new PathFile(this, flags);
        }
        if (type == Stat.S_IFDIR) {
            return new DirFile(this, flags, t);
        }
        if ((flags & OpenFile.O_DIRECTORY) != 0) {
            throw new ErrnoException(Errno.ENOTDIR);
        }
        if (type == Stat.S_IFSOCK) {
            throw new ErrnoException(Errno.ENXIO);
        }
        if (type == Stat.S_IFIFO) {
            // Its other end may be a host process: opening it would block a JVM thread in the host's open, and a
            // pipe shared only between guests would not reach it. (A tmpfs FIFO works: see Fifo.)
            throw new ErrnoException(Errno.ENXIO);
        }
        return HostFile.open(this, flags);
    }

    /**
     * The host directory's entries. The guest's "/" lists the synthetic /proc instead of the host's; in /dev the
     * synthetic devices replace the host's.
     */
    @Override
    public List<OpenFile.DirEntry> list(Task t) throws ErrnoException {
        List<OpenFile.DirEntry> out = new ArrayList<>();
        boolean devDir = guest.equals("/dev");
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(host)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                long ino = 0;
                int type = 0;
                try {
                    Map<String, Object> a = Files.readAttributes(p, "unix:ino,mode", LinkOption.NOFOLLOW_LINKS);
                    ino = ((Number) a.get("ino")).longValue();
                    type = OpenFile.dtype(((Number) a.get("mode")).intValue());
                } catch (IOException | RuntimeException e) {
                    // Vanished meanwhile: still listed, as DT_UNKNOWN.
                }
                if (devDir) {
                    SynthNode d = SynthNode.device(vfs, name);
                    if (d != null) {
                        Stat s = d.stat(t);
                        ino = s.ino();
                        type = OpenFile.dtype(s.mode());
                    }
                } else if (guest.equals("/") && name.equals("proc")) {
                    continue;
                }
                out.add(new OpenFile.DirEntry(name, ino, type));
            }
        } catch (IOException | RuntimeException e) {
            throw IoErrors.of(e);
        }
        if (guest.equals("/")) {
            out.add(new OpenFile.DirEntry("proc", SynthNode.inoOf(SynthNode.Kind.PROC_DIR, 0), 4));
        }
        return out;
    }

    @Override
    public void checkAccess(Task t, int mode) throws ErrnoException {
        if (!exists()) {
            throw new ErrnoException(Errno.ENOENT);
        }
        List<AccessMode> modes = new ArrayList<>();
        if ((mode & 4) != 0) {
            modes.add(AccessMode.READ);
        }
        if ((mode & 2) != 0) {
            modes.add(AccessMode.WRITE);
        }
        if ((mode & 1) != 0) {
            modes.add(AccessMode.EXECUTE);
        }
        try {
            host.getFileSystem().provider().checkAccess(host, modes.toArray(new AccessMode[0]));
        } catch (IOException | RuntimeException e) {
            throw IoErrors.of(e);
        }
    }

    @Override
    public StatFs statfs() throws ErrnoException {
        try {
            FileStore fs = Files.getFileStore(host);
            long bsize = Math.max(1, fs.getBlockSize());
            return new StatFs(fsMagic(fs.type()), bsize, fs.getTotalSpace() / bsize,
                    fs.getUnallocatedSpace() / bsize, fs.getUsableSpace() / bsize, 0, 0,
                    fs.isReadOnly() ? StatFs.ST_RDONLY : 0);
        } catch (IOException | RuntimeException e) {
            throw IoErrors.of(e);
        }
    }

    /** f_type from the JDK's file-store type name. */
    static long fsMagic(String type) {
        return switch (type) {
            case "ext2", "ext3", "ext4" -> 0xEF53L;
            case "tmpfs", "devtmpfs" -> Tmpfs.TMPFS_MAGIC;
            case "btrfs" -> 0x9123683EL;
            case "xfs" -> 0x58465342L;
            case "overlay" -> 0x794c7630L;
            case "nfs", "nfs4" -> 0x6969L;
            case "zfs" -> 0x2fc12fc1L;
            case "proc" -> 0x9fa0L;
            case "f2fs" -> 0xF2F52010L;
            case "vfat", "msdos" -> 0x4d44L;
            case "9p" -> 0x01021997L;
            case "squashfs" -> 0x73717368L;
            case "sysfs" -> 0x62656572L;
            default -> type.startsWith("fuse") ? 0x65735546L : 0;
        };
    }

    // ------------------------------------------------------------------------------------------------------------
    // Changes: the host's own calls, with the host's errors
    // ------------------------------------------------------------------------------------------------------------

    private static void setMode(Path p, int mode) throws ErrnoException {
        try {
            Files.setAttribute(p, "unix:mode", mode);
        } catch (IOException | RuntimeException e) {
            throw IoErrors.of(e);
        }
    }

    @Override
    public OpenFile create(Cred c, int flags, int mode) throws ErrnoException {
        HostFile f = HostFile.create(this, flags);
        setMode(host, mode);
        return f;
    }

    /**
     * The JDK cannot make FIFOs, sockets or device nodes on the host: EACCES when the directory is not writable (as
     * Linux checks first), else EPERM, what Linux answers for a file system without a mknod operation.
     */
    @Override
    public void mknod(Cred c, int mode, long rdev, boolean checkCap) throws ErrnoException {
        Path dir = host.toAbsolutePath().getParent();
        if (dir != null && !(Files.isWritable(dir) && Files.isExecutable(dir))) {
            throw new ErrnoException(Errno.EACCES);
        }
        throw new ErrnoException(Errno.EPERM);
    }

    @Override
    public void mkdir(Cred c, int mode) throws ErrnoException {
        try {
            Files.createDirectory(host);
        } catch (IOException | RuntimeException e) {
            throw IoErrors.of(e);
        }
        setMode(host, mode);
    }

    @Override
    public void symlink(Cred c, String target) throws ErrnoException {
        try {
            Files.createSymbolicLink(host, Path.of(target));
        } catch (IOException | RuntimeException e) {
            throw IoErrors.of(e);
        }
    }

    @Override
    public void link(Cred c, Node existing) throws ErrnoException {
        if (!(existing instanceof HostNode e)) {
            throw new ErrnoException(Errno.EXDEV);
        }
        try {
            Files.createLink(host, e.host);
        } catch (IOException | RuntimeException ex) {
            throw IoErrors.of(ex);
        }
    }

    @Override
    public void unlink(Cred c) throws ErrnoException {
        delete();
    }

    @Override
    public void rmdir(Cred c) throws ErrnoException {
        delete();
    }

    private void delete() throws ErrnoException {
        try {
            Files.delete(host);
        } catch (IOException | RuntimeException e) {
            throw IoErrors.of(e);
        }
    }

    @Override
    public void rename(Cred c, Node to, int flags) throws ErrnoException {
        if (!(to instanceof HostNode b)) {
            throw new ErrnoException(Errno.EXDEV);
        }
        if ((flags & ~1) != 0) {
            // RENAME_EXCHANGE: the JDK cannot swap two names.
            throw new ErrnoException(Errno.EINVAL);
        }
        try {
            Files.move(host, b.host, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            throw IoErrors.of(e);
        }
    }

    @Override
    public void chmod(Cred c, int mode) throws ErrnoException {
        setMode(host, mode & 07777);
    }

    @Override
    public void chown(Cred c, int uid, int gid) throws ErrnoException {
        try {
            if (uid != -1) {
                Files.setAttribute(host, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
            }
            if (gid != -1) {
                Files.setAttribute(host, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
            }
        } catch (IOException | RuntimeException e) {
            throw IoErrors.of(e);
        }
    }

    @Override
    public void setTimes(Cred c, long aSec, long aNs, long mSec, long mNs) throws ErrnoException {
        Instant now = Instant.now();
        try {
            BasicFileAttributeView v = Files.getFileAttributeView(host, BasicFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS);
            v.setTimes(fileTime(mSec, mNs, now), fileTime(aSec, aNs, now), null);
        } catch (IOException | RuntimeException e) {
            throw IoErrors.of(e);
        }
    }

    /** A utimensat time as the JDK takes it (null: leave it); Instant's range is narrower: clamp, as file systems do. */
    private static FileTime fileTime(long sec, long ns, Instant now) {
        if (ns == UTIME_OMIT) {
            return null;
        }
        if (ns == UTIME_NOW) {
            return FileTime.from(now);
        }
        long max = Instant.MAX.getEpochSecond();
        long min = Instant.MIN.getEpochSecond();
        return FileTime.from(Instant.ofEpochSecond(Math.max(min, Math.min(max, sec)), ns));
    }
}
