#include "fs_common.h"

int main(void) {
    char buf[256];
    int null = T(open("/dev/null", O_RDWR));
    T(read(null, buf, sizeof buf));
    T(write(null, "abc", 3));
    T(lseek(null, 100, SEEK_SET));
    T(pread(null, buf, 10, 5));
    T(close(null));

    int zero = T(open("/dev/zero", O_RDWR));
    memset(buf, 'x', sizeof buf);
    T(read(zero, buf, sizeof buf));
    int allzero = 1;
    for (int i = 0; i < (int)sizeof buf; i++) if (buf[i]) allzero = 0;
    printf("zeros: %d\n", allzero);
    T(write(zero, "abc", 3));
    T(read(zero, BADPTR, 4));
    T(close(zero));

    int full = T(open("/dev/full", O_RDWR));
    T(write(full, "abc", 3));
    T(read(full, buf, 4));
    T(close(full));

    int ur = T(open("/dev/urandom", O_RDONLY));
    unsigned char r1[32], r2[32];
    T(read(ur, r1, sizeof r1));
    T(read(ur, r2, sizeof r2));
    printf("random differs: %d\n", memcmp(r1, r2, sizeof r1) != 0);
    T(write(ur, "x", 1));
    T(close(ur));
    T(access("/dev/random", R_OK));

    /* the devices are found through relative paths and dirfds too */
    int dev = T(open("/dev", O_RDONLY | O_DIRECTORY));
    int z = T(openat(dev, "zero", O_RDONLY));
    T(read(z, buf, 8));
    T(close(z));
    T(chdir("/dev"));
    z = T(open("./null", O_WRONLY));
    T(close(z));
    T(chdir("/"));
    T(open("/dev/null/x", O_RDONLY));
    T(open("/dev/null", O_RDONLY | O_DIRECTORY));
    T(open("/dev/null", O_RDONLY | O_CREAT | O_EXCL, 0644));
    return 0;
}
