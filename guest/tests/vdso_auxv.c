/* The vDSO as a program sees it: AT_SYSINFO_EHDR points at a mapped ELF shared object named linux-vdso.so.1 that
 * exports clock_gettime, gettimeofday and getcpu; /proc/self/maps calls it [vdso]; the C library lists it among the
 * loaded objects and really calls into it (a child that unmaps it dies of SIGSEGV in clock_gettime); the time
 * functions work and agree. Only what x86-64 and riscv64 Linux share is printed (versions and symbol sets differ).
 * A signal handler runs and returns (on riscv64 it returns through the vDSO's rt_sigreturn).
 * With the argument "-v" it also prints the vDSO's address and where the handler returned to (for the test that
 * checks those against the vDSO's symbols). */
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *yes(int b) { return b ? "yes" : "no"; }

/* The dynamic entry with tag `tag`, or NULL. */
static const Elf64_Dyn *dyn_entry(const Elf64_Dyn *dyn, long tag) {
    for (; dyn->d_tag != DT_NULL; dyn++)
        if (dyn->d_tag == tag)
            return dyn;
    return NULL;
}

/* Looks a symbol up through DT_HASH or DT_GNU_HASH; returns it or NULL. */
static const Elf64_Sym *lookup(unsigned long base, long bias, const Elf64_Dyn *dyn, const char *name) {
    const Elf64_Dyn *symtab = dyn_entry(dyn, DT_SYMTAB), *strtab = dyn_entry(dyn, DT_STRTAB);
    const Elf64_Dyn *hash = dyn_entry(dyn, DT_HASH), *gnuhash = dyn_entry(dyn, DT_GNU_HASH);
    if (!symtab || !strtab || (!hash && !gnuhash))
        return NULL;
    const Elf64_Sym *syms = (const Elf64_Sym *) (symtab->d_un.d_ptr + bias);
    const char *strs = (const char *) (strtab->d_un.d_ptr + bias);
    (void) base;
    if (hash) {
        const Elf32_Word *h = (const Elf32_Word *) (hash->d_un.d_ptr + bias);
        Elf32_Word nchain = h[1];
        for (Elf32_Word i = 1; i < nchain; i++)
            if (syms[i].st_shndx != SHN_UNDEF && strcmp(strs + syms[i].st_name, name) == 0)
                return &syms[i];
        return NULL;
    }
    /* GNU hash: walk every chain (the table is tiny). */
    const Elf32_Word *g = (const Elf32_Word *) (gnuhash->d_un.d_ptr + bias);
    Elf32_Word nbuckets = g[0], symoffset = g[1], bloomsize = g[2];
    const Elf32_Word *buckets = g + 4 + bloomsize * 2;
    const Elf32_Word *chains = buckets + nbuckets;
    for (Elf32_Word b = 0; b < nbuckets; b++) {
        Elf32_Word i = buckets[b];
        if (i == 0)
            continue;
        for (;; i++) {
            if (strcmp(strs + syms[i].st_name, name) == 0)
                return &syms[i];
            if (chains[i - symoffset] & 1)
                break;
        }
    }
    return NULL;
}

static volatile sig_atomic_t handled;
static void *volatile handler_return;

/* Where this handler returns to: on riscv64 Linux, the vDSO's __vdso_rt_sigreturn (the kernel sets ra to it). */
static __attribute__((noinline)) void on_usr1(int sig) {
    handled = sig;
    handler_return = __builtin_return_address(0);
}

struct found { unsigned long base; int seen; };

static int each_object(struct dl_phdr_info *info, size_t size, void *arg) {
    struct found *f = arg;
    (void) size;
    if (info->dlpi_name && strcmp(info->dlpi_name, "linux-vdso.so.1") == 0 && info->dlpi_addr == f->base)
        f->seen = 1;
    return 0;
}

int main(int argc, char **argv) {
    int verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
    unsigned long base = getauxval(AT_SYSINFO_EHDR);
    printf("AT_SYSINFO_EHDR set: %s\n", yes(base != 0));
    if (!base)
        return 1;
    if (verbose)
        printf("vdso base 0x%lx\n", base);
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *) base;
    printf("points at an ELF header: %s\n", yes(memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0));
    printf("64-bit shared object: %s\n", yes(eh->e_ident[EI_CLASS] == ELFCLASS64 && eh->e_type == ET_DYN));

    /* Load bias: where the first PT_LOAD's p_vaddr ended up (glibc's setup_vdso does the same). */
    const Elf64_Phdr *ph = (const Elf64_Phdr *) (base + eh->e_phoff);
    long bias = 0;
    int have_load = 0;
    const Elf64_Dyn *dyn = NULL;
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD && !have_load) {
            bias = base - ph[i].p_vaddr;
            have_load = 1;
        }
    }
    for (int i = 0; i < eh->e_phnum; i++)
        if (ph[i].p_type == PT_DYNAMIC)
            dyn = (const Elf64_Dyn *) (ph[i].p_vaddr + bias);
    printf("has PT_LOAD and PT_DYNAMIC: %s\n", yes(have_load && dyn != NULL));
    if (!dyn)
        return 1;
    const Elf64_Dyn *soname = dyn_entry(dyn, DT_SONAME), *strtab = dyn_entry(dyn, DT_STRTAB);
    printf("soname: %s\n", soname && strtab ? (const char *) (strtab->d_un.d_ptr + bias + soname->d_un.d_val) : "?");
    printf("has symbol versions: %s\n", yes(dyn_entry(dyn, DT_VERSYM) && dyn_entry(dyn, DT_VERDEF)));
    const char *names[] = {"__vdso_clock_gettime", "__vdso_gettimeofday", "__vdso_getcpu"};
    for (int i = 0; i < 3; i++) {
        const Elf64_Sym *s = lookup(base, bias, dyn, names[i]);
        printf("%s: %s\n", names[i], s && ELF64_ST_TYPE(s->st_info) == STT_FUNC ? "function" : "missing");
    }

    /* /proc/self/maps names the mapping. */
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[512];
    unsigned long lo = 0, hi = 0;
    char perms[5] = "";
    while (maps && fgets(line, sizeof line, maps))
        if (strstr(line, "[vdso]"))
            sscanf(line, "%lx-%lx %4s", &lo, &hi, perms);
    if (maps)
        fclose(maps);
    printf("[vdso] in /proc/self/maps at AT_SYSINFO_EHDR: %s, %s\n", yes(lo == base && hi > lo), perms);

    struct found f = {base, 0};
    dl_iterate_phdr(each_object, &f);
    printf("dl_iterate_phdr lists linux-vdso.so.1 there: %s\n", yes(f.seen));

    /* The time functions work and agree with each other. */
    struct timespec a, b, r;
    struct timeval tv;
    int ok = clock_gettime(CLOCK_MONOTONIC, &a) == 0;
    ok &= clock_gettime(CLOCK_MONOTONIC, &b) == 0;
    printf("CLOCK_MONOTONIC works and does not go back: %s\n",
           yes(ok && (b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec))));
    ok = clock_gettime(CLOCK_REALTIME, &r) == 0 && gettimeofday(&tv, NULL) == 0;
    long long diff_us = ((long long) tv.tv_sec - r.tv_sec) * 1000000 + (tv.tv_usec - r.tv_nsec / 1000);
    printf("CLOCK_REALTIME and gettimeofday agree within a second: %s\n",
           yes(ok && diff_us > -1000000 && diff_us < 1000000));
    printf("CLOCK_REALTIME is after 2020: %s\n", yes(r.tv_sec > 1577836800));
    ok = clock_getres(CLOCK_MONOTONIC, &r) == 0;
    printf("clock_getres(CLOCK_MONOTONIC) at most 1 ms: %s\n", yes(ok && r.tv_sec == 0 && r.tv_nsec > 0
                                                                   && r.tv_nsec <= 1000000));
    printf("clock_gettime of a bad clock fails: %s\n", yes(clock_gettime(-1000, &a) != 0));
    printf("sched_getcpu works: %s\n", yes(sched_getcpu() >= 0));

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    printf("a SIGUSR1 handler ran and returned: %s\n", yes(handled == SIGUSR1));
    if (verbose)
        printf("handler returns to 0x%lx\n", (unsigned long) handler_return);

    /* glibc found clock_gettime in the vDSO and calls it: without the mapping, the call faults. */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        munmap((void *) lo, hi - lo);
        clock_gettime(CLOCK_MONOTONIC, &a);
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    printf("clock_gettime after unmapping the vDSO: %s\n",
           WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV ? "SIGSEGV" : "returned");
    return 0;
}
