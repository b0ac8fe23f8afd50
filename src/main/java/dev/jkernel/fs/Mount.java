package dev.jkernel.fs;

import java.nio.file.Path;

/**
 * One entry of the mount table: a file system attached at a guest path. Either a host directory (every lookup stays
 * inside it: ".." at its top and symlinks are resolved by the Vfs in the guest's namespace) or a {@link Tmpfs}.
 * Read-only mounts refuse every change with EROFS.
 */
public final class Mount {
    /** The absolute, normalised guest path the file system is attached at ("/" for the root). */
    public final String point;
    public final boolean readOnly;
    /** The host directory of a host mount (a real path, symlinks resolved); null for a tmpfs. */
    final Path hostDir;
    /** The file system of a tmpfs mount; null for a host mount. */
    final Tmpfs tmpfs;

    private Mount(String point, Path hostDir, Tmpfs tmpfs, boolean readOnly) {
        this.point = point;
        this.hostDir = hostDir;
        this.tmpfs = tmpfs;
        this.readOnly = readOnly;
    }

    static Mount host(String point, Path dir, boolean readOnly) {
        return new Mount(point, dir, null, readOnly);
    }

    static Mount tmpfs(String point, Tmpfs fs, boolean readOnly) {
        return new Mount(point, null, fs, readOnly);
    }

    /** "tmpfs" or "hostfs", as /proc/mounts shows it. */
    public String type() {
        return tmpfs != null ? "tmpfs" : "hostfs";
    }

    /** The node of the file system's top directory. */
    Node root(Vfs vfs) {
        return tmpfs != null ? TmpNode.root(vfs, this) : new HostNode(vfs, this, hostDir, point);
    }

    @Override
    public String toString() {
        return type() + " on " + point + (readOnly ? " (ro)" : "");
    }
}
