/* String and conversion functions: mem* with overlap, str*, strtok, qsort, bsearch, strtod/strtol edge cases. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#pragma GCC diagnostic ignored "-Wstringop-truncation"

static int sign(int v) { return (v > 0) - (v < 0); }

static void mem_functions(void)
{
    unsigned char buf[300];
    for (int i = 0; i < 300; i++) buf[i] = (unsigned char)i;
    /* Every alignment and length combination of memmove in both directions, checked against a byte loop. */
    int bad = 0;
    for (int src = 0; src < 16; src++)
        for (int dst = 0; dst < 16; dst++)
            for (int n = 0; n < 100; n += 3) {
                unsigned char a[300], b[300];
                for (int i = 0; i < 300; i++) a[i] = b[i] = (unsigned char)(i * 13 + 5);
                memmove(a + dst + 50, a + src + 48, n);
                unsigned char tmp[300];
                for (int i = 0; i < n; i++) tmp[i] = b[src + 48 + i];
                for (int i = 0; i < n; i++) b[dst + 50 + i] = tmp[i];
                bad += memcmp(a, b, 300) != 0;
                unsigned char c[300] = {0}, d[300] = {0};
                memcpy(c + dst, buf + src, n + 100);
                for (int i = 0; i < n + 100; i++) d[dst + i] = buf[src + i];
                bad += memcmp(c, d, 300) != 0;
            }
    printf("memmove/memcpy mismatches=%d\n", bad);
    memset(buf, 0xA5, 37);
    printf("memset %02x %02x %02x\n", buf[0], buf[36], buf[37]);
    printf("memcmp %d %d %d\n", sign(memcmp("abc", "abd", 3)), sign(memcmp("\xff", "\x01", 1)),
           memcmp("same", "same", 4));
    const char *hay = "the quick brown fox";
    printf("memchr %ld memrchr-like strrchr %ld\n", (long)((char *)memchr(hay, 'q', 19) - hay),
           (long)(strrchr(hay, 'o') - hay));
}

static void str_functions(void)
{
    printf("strlen %zu %zu\n", strlen(""), strlen("hello, world"));
    printf("strcmp %d %d %d %d\n", sign(strcmp("a", "b")), sign(strcmp("b", "a")), strcmp("x", "x"),
           sign(strcmp("a\xe9", "a\x01")));
    printf("strncmp %d %d\n", strncmp("abcdef", "abcxyz", 3), sign(strncmp("abcdef", "abcxyz", 4)));
    printf("strcasecmp %d %d\n", strcasecmp("HeLLo", "hello"), sign(strcasecmp("abc", "ABD")));
    char dst[64] = "start";
    strcat(dst, "+more");
    strncat(dst, "+limited-tail", 8);
    printf("strcat [%s]\n", dst);
    strcpy(dst, "copy");
    printf("strcpy [%s] strncpy ", dst);
    char pad[8];
    memset(pad, 'z', sizeof pad);
    strncpy(pad, "ab", sizeof pad);
    for (int i = 0; i < 8; i++) printf("%d,", pad[i]);
    printf("\n");
    const char *s = "find the needle in the haystack with needles";
    printf("strstr %ld %s %ld\n", (long)(strstr(s, "needle") - s), strstr(s, "absent") ? "found" : "null",
           (long)(strstr(s, "") - s));
    printf("strchr %ld strspn %zu strcspn %zu strpbrk %s\n", (long)(strchr(s, 'h') - s), strspn(s, "fined "),
           strcspn(s, "xyz"), strpbrk(s, "yk"));
    char tok[] = "  alpha,beta;;gamma , delta,,";
    int n = 0;
    for (char *t = strtok(tok, " ,;"); t; t = strtok(NULL, " ,;"))
        printf("tok%d=[%s] ", n++, t);
    printf("\n");
    char tok2[] = "a:b::c";
    char *save, *p = tok2;
    while ((s = strsep(&p, ":")))
        printf("sep=[%s] ", s);
    (void)save;
    printf("\n");
    char *dup = strdup("duplicate me");
    printf("strdup [%s] strndup [%s]\n", dup, strndup("truncate", 5));
    free(dup);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void sorting(void)
{
    int v[1000];
    uint32_t r = 12345;
    for (int i = 0; i < 1000; i++) {
        r = r * 1103515245 + 12345;
        v[i] = (int)(r >> 1) - (1 << 30);
    }
    qsort(v, 1000, sizeof v[0], cmp_int);
    int sorted = 1;
    long long sum = 0;
    for (int i = 0; i < 1000; i++) {
        if (i && v[i - 1] > v[i]) sorted = 0;
        sum += v[i] * (long long)(i + 1);
    }
    printf("qsort sorted=%d weighted sum=%lld min=%d max=%d\n", sorted, sum, v[0], v[999]);
    int key = v[617];
    int *hit = bsearch(&key, v, 1000, sizeof v[0], cmp_int);
    int missing = v[0] - 1;
    printf("bsearch index=%ld missing=%s\n", (long)(hit - v), bsearch(&missing, v, 1000, 4, cmp_int) ? "found" : "null");
    const char *words[] = {"pear", "apple", "fig", "banana", "cherry", "date", "elderberry", "grape"};
    qsort(words, 8, sizeof words[0], cmp_str);
    for (int i = 0; i < 8; i++) printf("%s ", words[i]);
    printf("\n");
}

static void conversions(void)
{
    const char *ints[] = {"0", "42", "-42", "  +17xyz", "0x1F", "0777", "9223372036854775807",
                          "9223372036854775808", "-9223372036854775809", "", "abc", "  -0"};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        char *end;
        errno = 0;
        long v = strtol(ints[i], &end, 0);
        int e = errno;
        errno = 0;
        unsigned long u = strtoul(ints[i], NULL, 10);
        printf("strtol(\"%s\",0)=%ld errno=%d consumed=%ld strtoul10=%lu errno=%d\n", ints[i], v, e,
               (long)(end - ints[i]), u, errno);
    }
    printf("strtol base 2: %ld base 36: %ld base 16 prefix: %ld\n", strtol("101101", NULL, 2),
           strtol("zz", NULL, 36), strtol("0xff", NULL, 16));
    printf("atoi %d %d atol %ld strtoll %lld\n", atoi("123abc"), atoi("-2147483648"), atol("  99"),
           strtoll("-123456789012345", NULL, 10));
    const char *dbl[] = {"0", "-0", "1.5", "  -2.25e3", "1e-320", "1e400", "-1e400", "1e-400", "0x1.8p1",
                         "inf", "-Infinity", "nan", "3.14159265358979323846264338327950288", ".5", "5.",
                         "1e", "0.1", "2.2250738585072011e-308", "4.9406564584124654e-324", "junk"};
    for (size_t i = 0; i < sizeof dbl / sizeof dbl[0]; i++) {
        char *end;
        errno = 0;
        double d = strtod(dbl[i], &end);
        printf("strtod(\"%s\")=%a (%.17g) errno=%d consumed=%ld\n", dbl[i], d, d, errno, (long)(end - dbl[i]));
    }
    errno = 0;
    float f = strtof("3.4e39", NULL);
    printf("strtof overflow %a errno=%d strtof %a\n", f, errno, strtof("0.1", NULL));
    printf("atof %a\n", atof("6.02214076e23"));
}

int main(void)
{
    mem_functions();
    str_functions();
    sorting();
    conversions();
    return 0;
}
