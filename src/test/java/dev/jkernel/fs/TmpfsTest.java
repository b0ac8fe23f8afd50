package dev.jkernel.fs;

import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tmpfs and the mount table below the syscalls: permissions for users other than root (the guest tests run as
 * root), the size and inode limits, and confinement of host mounts in a tmpfs root.
 */
class TmpfsTest {
    static final Cred ALICE = new Cred(1000, 1000), BOB = new Cred(2000, 2000), CAROL = new Cred(3000, 1000);

    @TempDir
    Path tmp;

    private static Vfs vfs(long size) {
        return Vfs.withTmpfsRoot(size, 0755, ALICE, null);
    }

    private static Node at(Vfs v, String path) throws ErrnoException {
        return v.lookup(null, null, path, false);
    }

    private static int errno(Executable e) {
        return assertThrows(ErrnoException.class, e::run).errno;
    }

    interface Executable {
        void run() throws Exception;
    }

    @Test
    void ownerGroupAndOtherPermissions() throws Exception {
        Vfs v = vfs(1 << 20);
        at(v, "/a").mkdir(ALICE, 0750);
        assertEquals(Errno.EACCES, errno(() -> at(v, "/b").mkdir(BOB, 0755)));
        OpenFile f = at(v, "/a/f").create(ALICE, OpenFile.O_WRONLY, 0640);
        f.decRef();
        Stat st = at(v, "/a/f").stat(null);
        assertEquals(1000, st.uid());
        assertEquals(Stat.S_IFREG | 0640, st.mode());
        // Carol is in Alice's group: she may search /a and read f, not write to it; Bob may do neither.
        assertTrue(CAROL.permits(st.mode(), st.uid(), st.gid(), 4));
        assertFalse(CAROL.permits(st.mode(), st.uid(), st.gid(), 2));
        assertFalse(BOB.permits(st.mode(), st.uid(), st.gid(), 4));
        assertEquals(Errno.EACCES, errno(() -> at(v, "/a/g").create(CAROL, OpenFile.O_WRONLY, 0644)));
        // Root overrides everything but the execute bits of a file.
        assertTrue(Cred.ROOT.permits(st.mode(), st.uid(), st.gid(), 6));
        assertFalse(Cred.ROOT.permits(st.mode(), st.uid(), st.gid(), 1));
        // Attributes: the owner (or root) changes them.
        assertEquals(Errno.EPERM, errno(() -> at(v, "/a/f").chmod(BOB, 0777)));
        at(v, "/a/f").chmod(ALICE, 02755);
        assertEquals(02755, at(v, "/a/f").stat(null).mode() & 07777);
        assertEquals(Errno.EPERM, errno(() -> at(v, "/a/f").chown(ALICE, 2000, -1)));
        assertEquals(Errno.EPERM, errno(() -> at(v, "/a/f").chown(ALICE, -1, 2000)));
        at(v, "/a/f").chown(Cred.ROOT, 2000, 2000);
        assertEquals(2000, at(v, "/a/f").stat(null).uid());
        assertEquals(Errno.EPERM, errno(() -> at(v, "/a/f").setTimes(ALICE, 1, 0, 1, 0)));
        at(v, "/a/f").chmod(Cred.ROOT, 0644);
        assertEquals(Errno.EACCES, errno(() -> at(v, "/a/f").setTimes(ALICE, 0, Node.UTIME_NOW, 0,
                Node.UTIME_NOW)));
        at(v, "/a/f").setTimes(BOB, 5, 6, 7, 8);
        assertEquals(7, at(v, "/a/f").stat(null).mtimeSec());
    }

    @Test
    void stickyDirectoriesProtectOtherUsersFiles() throws Exception {
        Vfs v = vfs(1 << 20);
        at(v, "/tmp").mkdir(ALICE, 01777);
        at(v, "/tmp/bob").create(BOB, OpenFile.O_WRONLY, 0644).decRef();
        at(v, "/tmp/carol").create(CAROL, OpenFile.O_WRONLY, 0644).decRef();
        assertEquals(Errno.EPERM, errno(() -> at(v, "/tmp/bob").unlink(CAROL)));
        assertEquals(Errno.EPERM, errno(() -> at(v, "/tmp/bob").rename(CAROL, at(v, "/tmp/x"), 0)));
        at(v, "/tmp/bob").unlink(BOB);
        at(v, "/tmp/carol").unlink(ALICE); // the directory's owner may
        assertFalse(at(v, "/tmp/carol").exists());
    }

    @Test
    void theSizeLimitCountsOpenUnlinkedFilesUntilTheirLastClose() throws Exception {
        Vfs v = vfs(16 * 4096);
        StatFs empty = at(v, "/").statfs();
        assertEquals(16, empty.blocks());
        OpenFile f = at(v, "/big").create(ALICE, OpenFile.O_RDWR, 0644);
        byte[] page = new byte[4096];
        int pages = 0;
        while (true) {
            try {
                assertEquals(4096, f.write(page, 0, 4096, -1));
                pages++;
            } catch (ErrnoException e) {
                assertEquals(Errno.ENOSPC, e.errno);
                break;
            }
        }
        assertEquals(16, pages);
        assertEquals(0, at(v, "/").statfs().bfree());
        // A write that fits in part is short.
        f.truncate(15 * 4096 + 100);
        assertEquals(4096 - 100, f.write(new byte[8192], 0, 8192, 15 * 4096 + 100));
        at(v, "/big").unlink(ALICE);
        assertEquals(0, at(v, "/").statfs().bfree(), "an open file keeps its pages");
        assertEquals(16 * 4096, f.stat().size());
        f.decRef();
        assertEquals(16, at(v, "/").statfs().bfree());
        assertEquals(empty.ffree(), at(v, "/").statfs().ffree());
    }

    @Test
    void hardLinksTakeInodesOfTheLimit() throws Exception {
        Vfs v = vfs(4096);
        at(v, "/f").create(ALICE, OpenFile.O_WRONLY, 0644).decRef();
        long free = at(v, "/").statfs().ffree();
        for (int i = 0; i < free; i++) {
            at(v, "/l" + i).link(ALICE, at(v, "/f"));
        }
        assertEquals(Errno.ENOSPC, errno(() -> at(v, "/one-more").link(ALICE, at(v, "/f"))));
        assertEquals(free + 1, at(v, "/f").stat(null).nlink());
        for (int i = 0; i < free; i++) {
            at(v, "/l" + i).unlink(ALICE);
        }
        assertEquals(free, at(v, "/").statfs().ffree());
        at(v, "/f").unlink(ALICE);
        assertEquals(free + 1, at(v, "/").statfs().ffree());
    }

    @Test
    void hostMountsInATmpfsRootAreConfined() throws Exception {
        Path inside = Files.createDirectories(tmp.resolve("host/inside"));
        Files.writeString(tmp.resolve("host/secret"), "secret");
        Files.writeString(inside.resolve("data"), "data");
        Files.createSymbolicLink(inside.resolve("up"), Path.of("../../../.."));
        Files.createSymbolicLink(inside.resolve("abs"), tmp.resolve("host/secret"));
        Vfs v = vfs(1 << 20);
        v.makeSkeleton(ALICE);
        v.mountHost("/mnt/host", inside, true, ALICE);
        assertInstanceOf(TmpNode.class, at(v, "/mnt"));
        Node top = v.lookup(null, null, "/mnt/host", true);
        assertInstanceOf(HostNode.class, top);
        assertTrue(v.isMountRoot(top));
        assertEquals(v.rootMount(), v.dirMount(top));
        assertEquals("/mnt", v.lookup(null, null, "/mnt/host/..", true).guest);
        assertEquals("/", v.lookup(null, null, "/mnt/host/up", true).guest);
        assertInstanceOf(TmpNode.class, v.lookup(null, null, "/mnt/host/up", true));
        assertEquals(Errno.ENOENT, errno(() -> v.lookup(null, null, "/mnt/host/abs", true)));
        assertEquals(Errno.ENOENT, errno(() -> v.lookup(null, null, "/mnt/host/../../host/secret", true)));
        Node data = v.lookup(null, null, "/mnt/host/data", true);
        assertEquals("/mnt/host/data", data.guest);
        assertEquals(Errno.EBUSY, errno(() -> v.mountHost("/mnt/host", inside, false, ALICE)));
        assertEquals(Errno.EBUSY, errno(() -> v.mountHost("/proc/x", inside, false, ALICE)));
        assertEquals(Errno.ENOTDIR, errno(() -> v.mountHost("/m2", tmp.resolve("host/secret"), false, ALICE)));
        String mounts = new String(v.mountsText(), StandardCharsets.UTF_8);
        assertEquals("tmpfs / tmpfs rw,relatime 0 0\nproc /proc proc rw,relatime 0 0\n"
                + "sysfs /sys sysfs ro,relatime 0 0\n" + "hostfs /mnt/host hostfs ro,relatime 0 0\n", mounts);
    }

    @Test
    void aHostRootTakesMountsOnlyOnExistingDirectories() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root/data"));
        Path other = Files.createDirectories(tmp.resolve("other"));
        Files.writeString(other.resolve("x"), "x");
        Vfs v = new Vfs(root.getParent(), null);
        assertEquals(Errno.ENOENT, errno(() -> v.mountHost("/missing", other, false, ALICE)));
        assertFalse(Files.exists(root.getParent().resolve("missing")), "nothing created on the host");
        v.mountHost("/data", other, false, ALICE);
        assertEquals(other.toRealPath().resolve("x"), ((HostNode) v.lookup(null, null, "/data/x", true)).host);
        assertEquals(root.getParent().toRealPath(), ((HostNode) v.lookup(null, null, "/data/..", true)).host);
    }

    @Test
    void appendsFromTwoOpenFilesNeverOverlap() throws Exception {
        Vfs v = vfs(1 << 20);
        at(v, "/log").create(ALICE, OpenFile.O_WRONLY, 0644).decRef();
        OpenFile a = at(v, "/log").open(null, OpenFile.O_WRONLY | OpenFile.O_APPEND);
        OpenFile b = at(v, "/log").open(null, OpenFile.O_WRONLY | OpenFile.O_APPEND);
        Thread ta = Thread.ofPlatform().start(() -> writeMany(a, (byte) 'a'));
        Thread tb = Thread.ofPlatform().start(() -> writeMany(b, (byte) 'b'));
        ta.join();
        tb.join();
        OpenFile r = at(v, "/log").open(null, OpenFile.O_RDONLY);
        byte[] all = new byte[20000];
        assertEquals(20000, r.read(all, 0, all.length, 0));
        for (int i = 0; i < all.length; i += 10) {
            for (int j = 1; j < 10; j++) {
                assertEquals(all[i], all[i + j], "records are whole");
            }
        }
        // Each offset is the end of that file's own last append; the later of the two is the end of the file.
        assertEquals(20000, Math.max(a.seek(0, 1), b.seek(0, 1)));
        for (OpenFile f : new OpenFile[] {a, b, r}) {
            f.decRef();
        }
    }

    private static void writeMany(OpenFile f, byte c) {
        byte[] rec = new byte[10];
        java.util.Arrays.fill(rec, c);
        try {
            for (int i = 0; i < 1000; i++) {
                assertEquals(10, f.write(rec, 0, 10, -1));
            }
        } catch (ErrnoException e) {
            throw new AssertionError(e);
        }
    }
}
