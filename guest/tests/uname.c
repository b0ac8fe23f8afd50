/* uname(2): prints only fields that are the same on every Linux (the machine and release differ by design). */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

int main(void)
{
    struct utsname u;
    memset(&u, 0x7f, sizeof u);
    int r = uname(&u);
    printf("uname rc=%d\n", r);
    printf("sysname=%s\n", u.sysname);
    printf("nodename non-empty=%s terminated=%s\n", u.nodename[0] ? "yes" : "no",
           memchr(u.nodename, 0, sizeof u.nodename) ? "yes" : "no");
    int maj = -1, min = -1;
    int got = sscanf(u.release, "%d.%d", &maj, &min);
    printf("release looks like N.N: %s, at least 3.0: %s\n", got == 2 ? "yes" : "no", maj >= 3 ? "yes" : "no");
    printf("version non-empty=%s machine non-empty=%s\n", u.version[0] ? "yes" : "no", u.machine[0] ? "yes" : "no");
    printf("domainname terminated=%s\n", memchr(u.domainname, 0, sizeof u.domainname) ? "yes" : "no");
    return 0;
}
