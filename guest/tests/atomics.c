/* C11 atomics and the __atomic/__sync builtins on 1, 2, 4 and 8-byte objects (single-threaded). */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#define TEST(T, name, fmt)                                                                                          \
    do {                                                                                                            \
        static _Atomic T a = 100;                                                                                   \
        T o1 = atomic_fetch_add(&a, 5);                                                                             \
        T o2 = atomic_fetch_sub(&a, 200);                                                                           \
        T o3 = atomic_fetch_or(&a, 0x30);                                                                           \
        T o4 = atomic_fetch_and(&a, (T)0x7c);                                                                       \
        T o5 = atomic_fetch_xor(&a, 0x55);                                                                          \
        T o6 = atomic_exchange(&a, 9);                                                                              \
        T exp = 8;                                                                                                  \
        int c1 = atomic_compare_exchange_strong(&a, &exp, 1);                                                       \
        T seen = exp;                                                                                               \
        int c2 = atomic_compare_exchange_strong(&a, &exp, 11);                                                      \
        printf("%-8s " fmt " " fmt " " fmt " " fmt " " fmt " " fmt " cas %d (saw " fmt ") %d now " fmt "\n", name, \
               o1, o2, o3, o4, o5, o6, c1, seen, c2, atomic_load(&a));                                              \
    } while (0)

int main(void)
{
    TEST(uint8_t, "uint8", "%u");
    TEST(int8_t, "int8", "%d");
    TEST(uint16_t, "uint16", "%u");
    TEST(int16_t, "int16", "%d");
    TEST(uint32_t, "uint32", "%u");
    TEST(int32_t, "int32", "%d");
    TEST(uint64_t, "uint64", "%lu");
    TEST(int64_t, "int64", "%ld");

    /* Neighbouring bytes must survive sub-word atomics (riscv64 implements them with masked LR/SC). */
    static union { uint64_t word; uint8_t b[8]; uint16_t h[4]; } u = {.word = 0x1122334455667788ULL};
    __atomic_fetch_add(&u.b[3], 1, __ATOMIC_SEQ_CST);
    __atomic_exchange_n(&u.h[2], 0xbeef, __ATOMIC_ACQ_REL);
    uint8_t e8 = 0x22;
    __atomic_compare_exchange_n(&u.b[6], &e8, 0xcc, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    printf("sub-word neighbours: %016lx\n", (unsigned long)u.word);

    int64_t x = 5;
    long r1 = __atomic_add_fetch(&x, 10, __ATOMIC_RELAXED);
    long r2 = __atomic_sub_fetch(&x, 3, __ATOMIC_RELEASE);
    long r3 = __atomic_nand_fetch(&x, 0xf0, __ATOMIC_SEQ_CST);
    printf("__atomic add_fetch %ld sub_fetch %ld nand_fetch %ld\n", r1, r2, r3);
    int32_t y = -1;
    int32_t oy = __atomic_fetch_nand(&y, 0x0f, __ATOMIC_ACQUIRE);
    printf("__atomic fetch_nand %d after %d\n", oy, y);
    int32_t z = 0;
    __atomic_store_n(&z, 77, __ATOMIC_RELEASE);
    int32_t want = 77;
    int ok = __atomic_compare_exchange_n(&z, &want, 78, 1, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
    while (!ok) ok = __atomic_compare_exchange_n(&z, &want, 78, 1, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
    printf("weak cas loop -> %d load %d\n", ok, __atomic_load_n(&z, __ATOMIC_ACQUIRE));
    r1 = __sync_val_compare_and_swap(&x, 0, 1);
    int b1 = __sync_bool_compare_and_swap(&x, x, 1000);
    r2 = __sync_lock_test_and_set(&x, 3);
    r3 = __sync_fetch_and_add(&x, 4);
    printf("__sync val_cas %ld bool_cas %d lock_test_and_set %ld fetch_and_add %ld now %ld\n", r1, b1, r2, r3, (long)x);
    __sync_synchronize();
    atomic_thread_fence(memory_order_seq_cst);
    atomic_flag fl = ATOMIC_FLAG_INIT;
    int t1 = atomic_flag_test_and_set(&fl), t2 = atomic_flag_test_and_set(&fl);
    atomic_flag_clear(&fl);
    printf("flag %d %d %d\n", t1, t2, atomic_flag_test_and_set(&fl));
    return 0;
}
