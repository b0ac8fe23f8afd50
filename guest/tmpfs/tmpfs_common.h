/* Shared by the tmpfs tests: they work in a directory of /dev/shm, which is a tmpfs on Linux (and in the tmpfs
 * root jkernel gives embedded kernels). Results print as in the fs_* tests ("expr = value" or "expr = -1 ENAME"). */
#include "../tests/fs_common.h"
#include <sys/statfs.h>

#define TMPFS_MAGIC 0x01021994

/* A fresh directory under /dev/shm, made the working directory; cleanup() removes it once empty. */
__attribute__((unused)) static void enter_shmdir(void) {
    strcpy(tmpdir, "/dev/shm/jktmXXXXXX");
    if (!mkdtemp(tmpdir) || chdir(tmpdir) != 0) {
        perror("mkdtemp");
        exit(1);
    }
    struct statfs sf;
    if (statfs(".", &sf) != 0 || sf.f_type != TMPFS_MAGIC) {
        fprintf(stderr, "/dev/shm is not a tmpfs here\n");
        exit(1);
    }
}
