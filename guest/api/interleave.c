/* Shows how a scheduler interleaves threads: the deterministic mode's test subject.
 * Threads race to append their id to a shared log (an atomic counter gives each append a slot), yielding at
 * pseudo-random points, and one of them sleeps; then the log, some getrandom and /dev/urandom bytes, the virtual
 * time a 2-second nanosleep took (as CLOCK_MONOTONIC saw it; argv[1] changes the 2 seconds) and the order in which
 * forked children were reaped are printed, and how many cpus the workers saw themselves on. Under --deterministic SEED all of it is a function of SEED. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define THREADS 4
#define APPENDS 40

static atomic_int next_slot;
static atomic_ulong cpus_seen;
static char log_[THREADS * APPENDS + 1];

static void *worker(void *arg) {
    int id = (int)(long)arg;
    unsigned x = 2463534242u + id;
    for (int i = 0; i < APPENDS; i++) {
        log_[atomic_fetch_add(&next_slot, 1)] = (char)('a' + id);
        int cpu = sched_getcpu();
        if (cpu >= 0 && cpu < 64) atomic_fetch_or(&cpus_seen, 1UL << cpu);
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        for (volatile unsigned spin = x % 3000; spin > 0; spin--) { }
        if (x % 4 == 0) sched_yield();
        if (id == 0 && i == APPENDS / 2) {
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
        }
    }
    return NULL;
}

static int pipefd[2];
static atomic_int next_reader;
static char readers_log[THREADS + 1];

static void *reader(void *arg) {
    char c;
    if (read(pipefd[0], &c, 1) != 1) return NULL;
    readers_log[atomic_fetch_add(&next_reader, 1)] = (char)('a' + (int)(long)arg);
    return NULL;
}

int main(int argc, char **argv) {
    long secs = argc > 1 ? atol(argv[1]) : 2;
    pthread_t th[THREADS];
    for (long i = 0; i < THREADS; i++) pthread_create(&th[i], NULL, worker, (void *)i);
    for (int i = 0; i < THREADS; i++) pthread_join(th[i], NULL);
    printf("log %s\n", log_);
    printf("cpus seen %d\n", __builtin_popcountl(atomic_load(&cpus_seen)));

    /* Several sleepers woken at once (all readers of one pipe): who runs first is the scheduler's choice. */
    if (pipe(pipefd) != 0) return 1;
    for (long i = 0; i < THREADS; i++) pthread_create(&th[i], NULL, reader, (void *)i);
    struct timespec nap = {0, 10000000};
    nanosleep(&nap, NULL);
    if (write(pipefd[1], "abcd", THREADS) != THREADS) return 1;
    for (int i = 0; i < THREADS; i++) pthread_join(th[i], NULL);
    printf("readers %s\n", readers_log);

    unsigned char r[8];
    if (getrandom(r, sizeof r, 0) != sizeof r) return 1;
    printf("random");
    for (int i = 0; i < 8; i++) printf(" %02x", r[i]);
    FILE *u = fopen("/dev/urandom", "r");
    if (!u || fread(r, 1, sizeof r, u) != sizeof r) return 1;
    fclose(u);
    printf(" urandom");
    for (int i = 0; i < 8; i++) printf(" %02x", r[i]);
    printf("\n");

    struct timespec a, b, d = {secs, 0};
    clock_gettime(CLOCK_MONOTONIC, &a);
    nanosleep(&d, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long long ns = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
    printf("slept at least %ld s: %s\n", secs, ns >= secs * 1000000000LL ? "yes" : "no");

    for (int i = 0; i < 3; i++) {
        pid_t p = fork();
        if (p == 0) {
            for (volatile int spin = 0; spin < 20000 * (3 - i); spin++) { }
            _exit(i);
        }
    }
    printf("reaped");
    for (int i = 0; i < 3; i++) {
        int st;
        if (wait(&st) < 0) return 1;
        printf(" %d", WEXITSTATUS(st));
    }
    printf("\n");
    return 0;
}
