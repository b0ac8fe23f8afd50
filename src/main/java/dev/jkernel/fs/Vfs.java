package dev.jkernel.fs;

import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;
import dev.jkernel.kernel.Task;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The guest's view of files: the host file system (as qemu-user shows it), or a host directory confined as root
 * (--root), with a sysroot searched first for absolute paths (--sysroot, like qemu's -L).
 *
 * <p>Lookups walk the guest path one component at a time (Linux's link_path_walk): ".." never climbs above the root,
 * symlinks are read and resolved here, absolute targets from the root and relative ones from the link's directory,
 * so nothing resolves outside the root; more than 40 links is ELOOP. Synthetic /dev devices and /proc exist whatever
 * the root.
 */
public final class Vfs {
    public static final int PATH_MAX = 4096, NAME_MAX = 255, MAXSYMLINKS = 40;

    private final Path root;
    private final Path sysroot;

    /** root null: the host's "/", unconfined. sysroot null: none. */
    public Vfs(Path root, Path sysroot) {
        this.root = real(root != null ? root : Path.of("/"));
        this.sysroot = sysroot == null ? null : real(sysroot);
    }

    private static Path real(Path p) {
        try {
            return p.toAbsolutePath().toRealPath();
        } catch (IOException | RuntimeException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    /** The host directory that is the guest's "/". */
    public Path hostBase() {
        return root;
    }

    public HostNode rootNode() {
        return new HostNode(this, root, root, "/");
    }

    /** Normalised absolute guest path of {@code path} seen from {@code fs}'s cwd (no symlink resolution). */
    public String absolutePath(FsContext fs, String path) {
        String p = path.startsWith("/") ? path : fs.cwd + "/" + path;
        Deque<String> out = new ArrayDeque<>();
        for (String c : p.split("/")) {
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                out.pollLast();
            } else {
                out.addLast(c);
            }
        }
        return out.isEmpty() ? "/" : "/" + String.join("/", out);
    }

    /** The host path of guest path {@code path}, symlinks resolved (the last one only if followLast). */
    public Path resolve(FsContext fs, String path, boolean followLast) throws ErrnoException {
        return resolve(null, fs, path, followLast);
    }

    /** As {@link #resolve(FsContext, String, boolean)}, with the task for /proc/self (execve of /proc/self/exe). */
    public Path resolve(Task t, FsContext fs, String path, boolean followLast) throws ErrnoException {
        checkPath(path);
        Node start = path.startsWith("/") ? null : cwdNode(t, fs);
        Node n = lookup(t, start, path, followLast);
        if (!n.exists()) {
            throw new ErrnoException(Errno.ENOENT);
        }
        if (n instanceof HostNode h) {
            return h.host;
        }
        throw new ErrnoException(Errno.EACCES);
    }

    /** ENOENT for "", ENAMETOOLONG for PATH_MAX or more bytes. */
    public static void checkPath(String path) throws ErrnoException {
        if (path.isEmpty()) {
            throw new ErrnoException(Errno.ENOENT);
        }
        if (path.length() >= PATH_MAX / 4 && path.getBytes(StandardCharsets.UTF_8).length >= PATH_MAX) {
            throw new ErrnoException(Errno.ENAMETOOLONG);
        }
    }

    /** The node of a task's current directory. */
    public Node cwdNode(Task t, FsContext fs) throws ErrnoException {
        Node n = fs.cwdNode;
        if (n == null) {
            n = lookup(t, null, fs.cwd, true);
            if (!n.exists()) {
                throw new ErrnoException(Errno.ENOENT);
            }
            fs.cwdNode = n;
        }
        return n;
    }

    /**
     * Looks up {@code path} from {@code start} (ignored for absolute paths; null means the root). The result exists,
     * except that the last component may name nothing yet (check {@link Node#exists()}). A trailing slash requires
     * a directory (ENOTDIR) and follows a final symlink.
     */
    public Node lookup(Task t, Node start, String path, boolean followLast) throws ErrnoException {
        checkPath(path);
        if (path.startsWith("/") && sysroot != null) {
            try {
                Node n = walk(t, new HostNode(this, sysroot, sysroot, "/"), path, followLast);
                if (n.exists()) {
                    return n;
                }
            } catch (ErrnoException e) {
                // Not in the sysroot: the normal view decides.
            }
        }
        if (start == null || path.startsWith("/")) {
            start = rootNode();
        }
        return walk(t, start, path, followLast);
    }

    private Node walk(Task t, Node start, String path, boolean followLast) throws ErrnoException {
        HostNode top = start instanceof HostNode h && h.base != root ? new HostNode(this, h.base, h.base, "/")
                : rootNode();
        Deque<String> comps = new ArrayDeque<>();
        push(comps, path);
        boolean trailingSlash = path.endsWith("/");
        Node cur = path.startsWith("/") ? top : start;
        int links = 0;
        while (!comps.isEmpty()) {
            String name = comps.pop();
            boolean last = comps.isEmpty();
            if (!cur.exists()) {
                throw new ErrnoException(Errno.ENOENT);
            }
            if (!cur.isDir()) {
                throw new ErrnoException(Errno.ENOTDIR);
            }
            Node next;
            if (name.equals(".")) {
                next = cur;
            } else if (name.equals("..")) {
                next = cur.parent(t);
            } else {
                if (name.length() > NAME_MAX / 4 && name.getBytes(StandardCharsets.UTF_8).length > NAME_MAX) {
                    throw new ErrnoException(Errno.ENAMETOOLONG);
                }
                next = cur.child(t, name);
            }
            if ((!last || followLast || trailingSlash) && next.exists() && next.isSymlink()) {
                if (++links > MAXSYMLINKS) {
                    throw new ErrnoException(Errno.ELOOP);
                }
                Node magic = next.followMagic(t);
                if (magic != null) {
                    next = magic;
                } else {
                    String target = next.readlink(t);
                    if (target.isEmpty()) {
                        throw new ErrnoException(Errno.ENOENT);
                    }
                    push(comps, target);
                    if (target.startsWith("/")) {
                        cur = top;
                    }
                    if (comps.isEmpty()) {
                        // The target was "/" (or only slashes).
                        next = cur;
                    } else {
                        continue;
                    }
                }
            }
            cur = next;
        }
        if (trailingSlash && cur.exists() && !cur.isDir()) {
            throw new ErrnoException(Errno.ENOTDIR);
        }
        return cur;
    }

    /** Pushes the components of {@code path} in front of what remains to walk. */
    private static void push(Deque<String> comps, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            if (!parts[i].isEmpty()) {
                comps.push(parts[i]);
            }
        }
    }
}
