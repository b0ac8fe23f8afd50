/*
 * A static PIE without libc: Linux loads it (ET_DYN, no PT_INTERP) at a base of its choosing; it relocates itself,
 * then prints what the auxiliary vector told it. Debian 12's riscv64 glibc cannot build static-PIE programs (no
 * rcrt1.o), so this is how the tests cover the loader's ET_DYN path without a dynamic loader.
 */
#include <elf.h>

extern const Elf64_Dyn _DYNAMIC[] __attribute__((visibility("hidden")));
extern const Elf64_Ehdr __ehdr_start __attribute__((visibility("hidden")));

static long sys(long n, long a, long b, long c)
{
    register long a0 __asm__("a0") = a, a1 __asm__("a1") = b, a2 __asm__("a2") = c, a7 __asm__("a7") = n;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
    return a0;
}

static unsigned long slen(const char *s) { unsigned long n = 0; while (s[n]) n++; return n; }
static void puts_(const char *s) { sys(64, 1, (long)s, slen(s)); }
static void hex(unsigned long v)
{
    char b[19] = "0x";
    for (int i = 0; i < 16; i++) b[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 15];
    b[18] = 0;
    puts_(b);
}

/* Data that needs R_RISCV_RELATIVE relocations: pointers to strings. */
static const char *const words[] = {"relocated", "pointers", "work"};

__attribute__((used)) void cstart(long *sp)
{
    unsigned long base = (unsigned long)&__ehdr_start;
    const Elf64_Rela *rela = 0;
    unsigned long relasz = 0;
    for (const Elf64_Dyn *d = _DYNAMIC; d->d_tag != DT_NULL; d++) {
        if (d->d_tag == DT_RELA) rela = (const Elf64_Rela *)(base + d->d_un.d_ptr);
        if (d->d_tag == DT_RELASZ) relasz = d->d_un.d_val;
    }
    for (unsigned long i = 0; rela && i < relasz / sizeof(*rela); i++)
        if (ELF64_R_TYPE(rela[i].r_info) == R_RISCV_RELATIVE)
            *(unsigned long *)(base + rela[i].r_offset) = base + rela[i].r_addend;

    long argc = sp[0];
    char **argv = (char **)(sp + 1);
    char **envp = argv + argc + 1;
    while (*envp) envp++;
    Elf64_auxv_t *auxv = (Elf64_auxv_t *)(envp + 1);
    unsigned long entry = 0, phdr = 0, atbase = 1, pagesz = 0;
    for (; auxv->a_type != AT_NULL; auxv++) {
        if (auxv->a_type == AT_ENTRY) entry = auxv->a_un.a_val;
        if (auxv->a_type == AT_PHDR) phdr = auxv->a_un.a_val;
        if (auxv->a_type == AT_BASE) atbase = auxv->a_un.a_val;
        if (auxv->a_type == AT_PAGESZ) pagesz = auxv->a_un.a_val;
    }
    for (int i = 0; i < 3; i++) { puts_(words[i]); puts_(" "); }
    puts_("\nargc="); hex(argc);
    for (long i = 0; i < argc; i++) { puts_("\nargv: "); puts_(i == 0 ? "(program)" : argv[i]); }
    puts_("\nbase is page aligned and non-zero: ");
    puts_(base != 0 && (base & 4095) == 0 ? "yes" : "no");
    puts_("\nAT_PHDR == base + e_phoff: ");
    puts_(phdr == base + __ehdr_start.e_phoff ? "yes" : "no");
    puts_("\nAT_ENTRY == base + e_entry: ");
    puts_(entry == base + __ehdr_start.e_entry ? "yes" : "no");
    puts_("\nAT_BASE (no interpreter): "); hex(atbase);
    puts_("\nAT_PAGESZ: "); hex(pagesz);
    puts_("\n");
    sys(94, 7, 0, 0);
}

__asm__(".text\n.global _start\n_start:\n"
        ".option push\n.option norelax\n lla gp, __global_pointer$\n.option pop\n"
        " mv a0, sp\n andi sp, sp, -16\n call cstart\n");
