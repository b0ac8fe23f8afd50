package dev.jkernel.fs;

import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --root confinement: no "..", absolute or relative symlink leads outside the root. */
class VfsConfinementTest {
    @TempDir
    Path tmp;
    Path root;
    Path outside;
    Vfs vfs;
    FsContext fs;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createDirectory(tmp.resolve("root")).toRealPath();
        outside = Files.createDirectory(tmp.resolve("outside")).toRealPath();
        Files.writeString(outside.resolve("secret"), "host secret");
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), "guest passwd");
        Files.createDirectories(root.resolve("sub/deeper"));
        Files.createSymbolicLink(root.resolve("abs"), Path.of("/etc"));
        Files.createSymbolicLink(root.resolve("sub/up"), Path.of("../../../../../.."));
        Files.createSymbolicLink(root.resolve("sub/escape"), Path.of("../../outside/secret"));
        Files.createSymbolicLink(root.resolve("hostpath"), outside.resolve("secret"));
        Files.createSymbolicLink(root.resolve("loop1"), Path.of("loop2"));
        Files.createSymbolicLink(root.resolve("loop2"), Path.of("loop1"));
        vfs = new Vfs(root, null);
        fs = new FsContext("/");
    }

    private int errno(String path, boolean follow) {
        ErrnoException e = assertThrows(ErrnoException.class, () -> vfs.resolve(fs, path, follow));
        return e.errno;
    }

    @Test
    void dotDotStopsAtRoot() throws Exception {
        assertEquals(root.resolve("etc/passwd"), vfs.resolve(fs, "/../../../etc/passwd", true));
        assertEquals(root, vfs.resolve(fs, "/..", true));
        fs.cwd = "/sub/deeper";
        assertEquals(root.resolve("etc/passwd"), vfs.resolve(fs, "../../../../../etc/passwd", true));
    }

    @Test
    void absoluteSymlinkIsRelativeToRoot() throws Exception {
        assertEquals(root.resolve("etc/passwd"), vfs.resolve(fs, "/abs/passwd", true));
        assertEquals(root.resolve("abs"), vfs.resolve(fs, "/abs", false));
    }

    @Test
    void relativeSymlinkCannotClimbOut() throws Exception {
        assertEquals(root, vfs.resolve(fs, "/sub/up", true));
        assertEquals(root.resolve("etc/passwd"), vfs.resolve(fs, "/sub/up/etc/passwd", true));
        // ../../outside/secret from /sub is /outside/secret inside the root, which does not exist.
        assertEquals(Errno.ENOENT, errno("/sub/escape", true));
    }

    @Test
    void hostAbsoluteTargetStaysInside() {
        // The link's text names a host path; inside the root it means root + that path.
        assertEquals(Errno.ENOENT, errno("/hostpath", true));
    }

    @Test
    void loopsAreEloop() {
        assertEquals(Errno.ELOOP, errno("/loop1", true));
        assertEquals(Errno.ELOOP, errno("/loop1/x", false));
    }

    @Test
    void fortyLinksAreFineFortyOneAreNot() throws Exception {
        Files.writeString(root.resolve("target"), "t");
        Files.createSymbolicLink(root.resolve("c0"), Path.of("target"));
        for (int i = 1; i <= 40; i++) {
            Files.createSymbolicLink(root.resolve("c" + i), Path.of("c" + (i - 1)));
        }
        assertEquals(root.resolve("target"), vfs.resolve(fs, "/c39", true));
        assertEquals(Errno.ELOOP, errno("/c40", true));
    }

    @Test
    void componentErrors() {
        assertEquals(Errno.ENOTDIR, errno("/etc/passwd/x", true));
        assertEquals(Errno.ENOTDIR, errno("/etc/passwd/", true));
        assertEquals(Errno.ENOENT, errno("/nope/x", true));
        assertEquals(Errno.ENOENT, errno("", true));
        assertEquals(Errno.ENAMETOOLONG, errno("/" + "a".repeat(256), true));
        assertEquals(Errno.ENAMETOOLONG, errno("/" + "a/".repeat(2048), true));
    }

    @Test
    void syntheticDevicesExistUnderAnyRoot() throws Exception {
        Node n = vfs.lookup(null, null, "/dev/null", true);
        assertTrue(n.exists());
        assertEquals(Stat.S_IFCHR, n.type());
        assertEquals(Errno.ENOENT, errno("/proc/self", true));
        assertFalse(vfs.lookup(null, null, "/nothing", true).exists());
    }

    @Test
    void sysrootIsSearchedFirstForAbsolutePaths() throws Exception {
        Path sys = Files.createDirectory(tmp.resolve("sysroot")).toRealPath();
        Files.createDirectories(sys.resolve("lib"));
        Files.writeString(sys.resolve("lib/libc.so"), "sys");
        Files.createDirectories(sys.resolve("etc"));
        Vfs v = new Vfs(root, sys);
        assertEquals(sys.resolve("lib/libc.so"), v.resolve(fs, "/lib/libc.so", true));
        // Not in the sysroot: the root's file.
        assertEquals(root.resolve("etc/passwd"), v.resolve(fs, "/etc/passwd", true));
        // Relative paths walk from the cwd's own directory (here one only the root has), like qemu's.
        fs.cwd = "/sub";
        assertEquals(root.resolve("etc/passwd"), v.resolve(fs, "../etc/passwd", true));
    }

    @Test
    void absolutePathNormalises() {
        fs.cwd = "/a/b";
        assertEquals("/a/c", vfs.absolutePath(fs, "../c"));
        assertEquals("/x", vfs.absolutePath(fs, "/../x/."));
        assertEquals("/", vfs.absolutePath(fs, "/.."));
    }
}
