/* argv (from envargs.args) and the environment the harness sets (guest/tests/env.list). argv[0] is not printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv)
{
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++)
        printf("argv[%d]=[%s] (%zu bytes)\n", i, argv[i], strlen(argv[i]));
    printf("argv[argc] is NULL: %s\n", argv[argc] == NULL ? "yes" : "no");
    const char *v = getenv("JKTEST_VAR");
    printf("JKTEST_VAR=[%s]\n", v ? v : "(unset)");
    printf("JKTEST_UNSET is %s\n", getenv("JKTEST_UNSET") ? "set" : "unset");
    /* Sorted: qemu-user reverses the order of the environment (Linux keeps it). */
    const char *found[16];
    int n = 0;
    for (char **e = environ; *e; e++)
        if (strncmp(*e, "JKTEST_", 7) == 0 && n < 16)
            found[n++] = *e;
    qsort(found, n, sizeof found[0], cmp);
    for (int i = 0; i < n; i++)
        printf("environ: %s\n", found[i]);
    printf("JKTEST_ entries: %d\n", n);
    setenv("JKTEST_NEW", "added", 0);
    unsetenv("JKTEST_VAR");
    printf("after setenv/unsetenv: NEW=%s VAR=%s\n", getenv("JKTEST_NEW"), getenv("JKTEST_VAR") ? "set" : "unset");
    return 0;
}
