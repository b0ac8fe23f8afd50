/* stdio formatting and stream I/O: printf conversions, snprintf truncation, fputs/fgets on a temporary file. */
#define _GNU_SOURCE
#include <float.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wformat-truncation"

static const double doubles[] = {
    0.0, -0.0, 1.0, -1.0, 0.5, 0.1, 1.0 / 3.0, 2.0 / 3.0, 123.456, -987654.321, 1e-5, 1e-300, 5e-324,
    2.2250738585072014e-308, 1.7976931348623157e308, 1e21, 1e22, 123456789012345678.0, 0.000123456789,
    3.141592653589793, 2.718281828459045, 1e100, 9.999999999999999e22, 0.05, 0.15, 0.25, 0.35, 2.5, 3.5,
    1.5e-10, 65536.0, 4294967296.0, 9007199254740993.0,
};

static void print_doubles(void)
{
    for (size_t i = 0; i < sizeof doubles / sizeof doubles[0]; i++) {
        double d = doubles[i];
        printf("%%f=%f %%e=%e %%g=%g %%a=%a\n", d, d, d, d);
        printf("  %%.0f=%.0f %%.3e=%.3e %%.17g=%.17g %%.3a=%.3a %%12.4f=[%12.4f] %%-12.2e=[%-12.2e] %%+g=%+g\n",
               d, d, d, d, d, d, d);
    }
    printf("inf: %f %e %g %a %F %E %G %A\n", 1.0 / 0.0, -1.0 / 0.0, 1.0 / 0.0, -1.0 / 0.0,
           1.0 / 0.0, 1.0 / 0.0, -1.0 / 0.0, 1.0 / 0.0);
    printf("nan: %f %F %5.2g|\n", __builtin_nan(""), __builtin_nan(""), __builtin_nan(""));
    printf("%#g %#.3g %#x %#o %#a\n", 1.0, 2.0, 255u, 8u, 1.0);
    printf("%010.3f|%-10.3f|% .3f|%+.3f\n", 3.14159, 3.14159, 3.14159, 3.14159);
    printf("%.*f %*.*e\n", 4, 2.0 / 7.0, 14, 3, 22.0 / 7.0);
}

static void print_integers(void)
{
    long long ll[] = {0, 1, -1, 42, -42, 2147483647LL, -2147483648LL, 4294967296LL, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < sizeof ll / sizeof ll[0]; i++)
        printf("%lld %llu %llx %llo %20lld|%-20lld|%+lld %020lld\n", ll[i], (unsigned long long)ll[i],
               (unsigned long long)ll[i], (unsigned long long)ll[i], ll[i], ll[i], ll[i], ll[i]);
    printf("%d %i %u %x %X %o %c %%\n", -7, 7, 7u, 0xbeefu, 0xbeefu, 0777u, 'Z');
    printf("%hhd %hd %ld %zd %jd %td\n", (signed char)-3, (short)-30000, -3000000000L, (ssize_t)-5,
           (intmax_t)INT64_MIN, (ptrdiff_t)-9);
    printf("%hhu %hu %lu %zu %ju\n", (unsigned char)250, (unsigned short)65000, 3000000000UL, (size_t)5,
           (uintmax_t)UINT64_MAX);
    printf("[%5d] [%-5d] [%05d] [%.3d] [%8.3d] [% d] [%+d]\n", 42, 42, 42, 7, 7, 42, 42);
    printf("[%s] [%10s] [%-10s] [%.3s] [%10.2s]\n", "str", "str", "str", "string", "string");
    printf("%" PRId64 " %" PRIu32 " %" PRIx16 "\n", (int64_t)-123, (uint32_t)4000000000u, (uint16_t)0xabc);
    int n1 = 0, n2 = 0;
    printf("count%n this%n\n", &n1, &n2);
    printf("n1=%d n2=%d\n", n1, n2);
}

static void print_snprintf(void)
{
    char buf[8];
    int r = snprintf(buf, sizeof buf, "%s", "hello world");
    printf("snprintf r=%d buf=[%s]\n", r, buf);
    r = snprintf(buf, sizeof buf, "%d", 1234567);
    printf("snprintf r=%d buf=[%s]\n", r, buf);
    r = snprintf(buf, sizeof buf, "%d", 12345678);
    printf("snprintf r=%d buf=[%s]\n", r, buf);
    r = snprintf(NULL, 0, "%f", 1e10);
    printf("snprintf(NULL) r=%d\n", r);
    memset(buf, 'x', sizeof buf);
    r = snprintf(buf, 1, "abc");
    printf("snprintf size 1 r=%d buf[0]=%d buf[1]=%c\n", r, buf[0], buf[1]);
    char *s = NULL;
    r = asprintf(&s, "%s-%d-%.2f", "asprintf", 99, 0.125);
    printf("asprintf r=%d s=[%s]\n", r, s);
    free(s);
}

static void file_streams(void)
{
    char dir[] = "/tmp/jkstdioXXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(1);
    }
    char path[64];
    snprintf(path, sizeof path, "%s/lines.txt", dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror("fopen w");
        exit(1);
    }
    for (int i = 0; i < 100; i++)
        fprintf(f, "line %03d %s\n", i, i % 7 == 0 ? "seven" : "other");
    fputs("no newline at end", f);
    printf("fclose w=%d\n", fclose(f));

    f = fopen(path, "r");
    char line[32];
    int lines = 0;
    unsigned long sum = 0;
    while (fgets(line, sizeof line, f)) {
        lines++;
        for (char *p = line; *p; p++)
            sum = sum * 31 + (unsigned char)*p;
    }
    printf("fgets lines=%d hash=%lu feof=%d ferror=%d last=[%s]\n", lines, sum, feof(f), ferror(f), line);
    rewind(f);
    char small[6];
    printf("fgets small=[%s]\n", fgets(small, sizeof small, f));
    int c = fgetc(f);
    int u = ungetc('Q', f);
    int c2 = fgetc(f);
    printf("fgetc=%c ungetc=%c fgetc=%c\n", c, u, c2);
    fclose(f);

    f = fopen(path, "a+");
    fputs("\nappended\n", f);
    fseek(f, 0, SEEK_SET);
    int count = 0;
    while ((c = fgetc(f)) != EOF)
        count += c == '\n';
    printf("a+ newlines=%d ftell=%ld\n", count, ftell(f));
    fclose(f);

    f = fopen(path, "r");
    int a, b;
    char w[16];
    int got = fscanf(f, "line %d %15s", &a, w);
    b = fscanf(f, " line %d", &a);
    printf("fscanf got=%d w=%s b=%d a=%d\n", got, w, b, a);
    fclose(f);

    int rm = remove(path);
    printf("remove=%d rmdir=%d\n", rm, rmdir(dir));
    printf("fopen missing=%p\n", (void *)fopen(path, "r"));
}

int main(void)
{
    print_doubles();
    print_integers();
    print_snprintf();
    file_streams();
    return 0;
}
