/* The README's first program: stdio, malloc, strings and uname under jkernel. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

int main(int argc, char **argv)
{
    struct utsname u;
    const char *who = argc > 1 ? argv[1] : "world";
    char *msg = malloc(strlen(who) + 32);

    if (!msg || uname(&u) != 0)
        return 1;
    sprintf(msg, "Hello, %s!", who);
    printf("%s\n", msg);
    printf("This is a %s program on %s %s.\n", u.machine, u.sysname, u.release);
    free(msg);
    return 0;
}
