/* getrandom(2): fills buffers (not all zero, not repeating), flags, EFAULT on a bad pointer, EINVAL on bad flags. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
    unsigned char a[256], b[256];
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    ssize_t ra = getrandom(a, sizeof a, 0);
    ssize_t rb = getrandom(b, sizeof b, GRND_NONBLOCK);
    int zeros = 0;
    for (int i = 0; i < 256; i++) zeros += a[i] == 0;
    printf("getrandom returned %zd and %zd\n", ra, rb);
    printf("buffer not all zero: %s, at most 16 zero bytes of 256: %s, two calls differ: %s\n",
           zeros < 256 ? "yes" : "no", zeros <= 16 ? "yes" : "no", memcmp(a, b, sizeof a) ? "yes" : "no");
    unsigned char one[1] = {0};
    int tries = 0;
    while (tries < 64 && one[0] == 0) {   /* a single byte is zero with probability 1/256 */
        getrandom(one, 1, 0);
        tries++;
    }
    printf("single byte eventually non-zero: %s\n", one[0] ? "yes" : "no");
    printf("zero length: %zd\n", getrandom(a, 0, 0));
    errno = 0;
    long r = syscall(SYS_getrandom, (void *)8, 16, 0);
    printf("bad pointer: %ld errno=%d (%s)\n", r, errno, errno == EFAULT ? "EFAULT" : "unexpected");
    errno = 0;
    r = syscall(SYS_getrandom, a, 16, 0x4000);
    printf("bad flags: %ld errno=%d (%s)\n", r, errno, errno == EINVAL ? "EINVAL" : "unexpected");
    unsigned char big[70000];
    memset(big, 0, sizeof big);
    r = getrandom(big, sizeof big, 0);
    zeros = 0;
    for (unsigned i = 0; i < sizeof big; i++) zeros += big[i] == 0;
    printf("70000 bytes: got %s, zero bytes plausible: %s\n", r > 0 ? "some" : "none", zeros < 1000 ? "yes" : "no");
    return 0;
}
