package dev.jkernel.fs;

import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;
import dev.jkernel.kernel.Task;

import java.io.IOException;
import java.nio.file.AccessMode;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A file of the host file system seen through the guest's root (or sysroot). */
public final class HostNode extends Node {
    final Vfs vfs;
    /** The host directory that is this node's "/" (the root, the sysroot, or the host's "/"). */
    final Path base;
    /** The host path; never has a symlink before its last component. */
    public final Path host;
    private Map<String, Object> attrs;
    private boolean looked;

    HostNode(Vfs vfs, Path base, Path host, String guest) {
        super(guest);
        this.vfs = vfs;
        this.base = base;
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
    HostNode fresh() {
        return new HostNode(vfs, base, host, guest);
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
    public boolean isHost() {
        return true;
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
    public Node child(Task t, String name) throws ErrnoException {
        if (guest.equals("/")) {
            if (name.equals("proc")) {
                return new SynthNode(vfs, SynthNode.Kind.PROC_DIR, 0, "/proc");
            }
            if (name.equals("dev")) {
                HostNode d = new HostNode(vfs, base, host.resolve(name), "/dev");
                return d.isDir() ? d : new SynthNode(vfs, SynthNode.Kind.DEV_DIR, 0, "/dev");
            }
        } else if (guest.equals("/dev")) {
            SynthNode d = SynthNode.device(vfs, name);
            if (d != null) {
                return d;
            }
        }
        return new HostNode(vfs, base, host.resolve(name), childOf(guest, name));
    }

    @Override
    public Node parent(Task t) {
        if (guest.equals("/") || host.equals(base) || host.getParent() == null) {
            return this;
        }
        return new HostNode(vfs, base, host.getParent(), parentOf(guest));
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
            // Named pipes need the pipe implementation; refuse rather than block the JVM thread forever.
            throw new ErrnoException(Errno.ENXIO);
        }
        return HostFile.open(this, flags);
    }

    @Override
    public List<OpenFile.DirEntry> list(Task t) throws ErrnoException {
        List<OpenFile.DirEntry> out = new ArrayList<>();
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
                if (guest.equals("/dev")) {
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
    public void checkAccess(int mode) throws ErrnoException {
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
}
