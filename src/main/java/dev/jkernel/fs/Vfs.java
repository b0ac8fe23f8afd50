package dev.jkernel.fs;

import dev.jkernel.kernel.ErrnoException;

import java.nio.file.Path;

/**
 * The guest's view of files: the host file system (as qemu-user shows it), or a host directory confined as root
 * (--root), with a sysroot searched first for absolute paths (--sysroot, like qemu's -L). STUB: the fs branch owns
 * this file.
 */
public final class Vfs {
    private final Path root;
    private final Path sysroot;

    /** root null: the host's "/", unconfined. sysroot null: none. */
    public Vfs(Path root, Path sysroot) {
        this.root = root;
        this.sysroot = sysroot;
    }

    /** Normalised absolute guest path of {@code path} seen from {@code fs}'s cwd (no symlink resolution). */
    public String absolutePath(FsContext fs, String path) {
        String p = path.startsWith("/") ? path : fs.cwd + "/" + path;
        return Path.of(p).normalize().toString();
    }

    /** The host path of guest path {@code path}, symlinks resolved (the last one only if followLast). */
    public Path resolve(FsContext fs, String path, boolean followLast) throws ErrnoException {
        String abs = absolutePath(fs, path);
        if (sysroot != null) {
            Path s = sysroot.resolve(abs.substring(1));
            if (java.nio.file.Files.exists(s)) {
                return s;
            }
        }
        return (root != null ? root : Path.of("/")).resolve(abs.substring(1));
    }
}
