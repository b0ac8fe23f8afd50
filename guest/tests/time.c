/* Clocks: monotonic never goes backwards, realtime agrees with time(), sleeps take at least their duration. */
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

int main(void)
{
    struct timespec prev, now, res;
    int backwards = 0, bad_nsec = 0;
    clock_gettime(CLOCK_MONOTONIC, &prev);
    for (int i = 0; i < 2000; i++) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        backwards += ns(now) < ns(prev);
        bad_nsec += now.tv_nsec < 0 || now.tv_nsec >= 1000000000L;
        prev = now;
    }
    printf("monotonic: backwards steps=%d bad tv_nsec=%d\n", backwards, bad_nsec);

    struct timespec rt;
    int r = clock_gettime(CLOCK_REALTIME, &rt);
    time_t t = time(NULL);
    long long diff = (long long)rt.tv_sec - (long long)t;
    printf("realtime: rc=%d within a day of time()=%s after 2020=%s\n", r, diff > -86400 && diff < 86400 ? "yes" : "no",
           t > 1577836800 ? "yes" : "no");
    struct timeval tv;
    gettimeofday(&tv, NULL);
    diff = (long long)tv.tv_sec - (long long)t;
    printf("gettimeofday within a day=%s usec in range=%s\n", diff > -86400 && diff < 86400 ? "yes" : "no",
           tv.tv_usec >= 0 && tv.tv_usec < 1000000 ? "yes" : "no");

    const clockid_t ids[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID,
                             CLOCK_MONOTONIC_RAW, CLOCK_BOOTTIME};
    for (unsigned i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        r = clock_getres(ids[i], &res);
        int r2 = clock_gettime(ids[i], &now);
        printf("clock %d: getres rc=%d positive=%s gettime rc=%d\n", (int)ids[i], r, ns(res) > 0 ? "yes" : "no", r2);
    }

    struct timespec a, b, req = {0, 20 * 1000 * 1000};
    clock_gettime(CLOCK_MONOTONIC, &a);
    r = nanosleep(&req, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("nanosleep 20ms rc=%d slept at least 20ms=%s\n", r, ns(b) - ns(a) >= 20000000LL ? "yes" : "no");
    clock_gettime(CLOCK_MONOTONIC, &a);
    struct timespec abs = a;
    abs.tv_nsec += 10 * 1000 * 1000;
    if (abs.tv_nsec >= 1000000000L) abs.tv_sec++, abs.tv_nsec -= 1000000000L;
    r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("clock_nanosleep absolute rc=%d reached deadline=%s\n", r, ns(b) >= ns(abs) ? "yes" : "no");

    struct tm tm;
    time_t fixed = 1700000000;
    gmtime_r(&fixed, &tm);
    char buf[64];
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %a %j", &tm);
    printf("gmtime(1700000000) = %s, timegm round trip=%s\n", buf, timegm(&tm) == fixed ? "yes" : "no");
    return 0;
}
