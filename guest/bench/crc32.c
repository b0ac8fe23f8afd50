/* Benchmark: bitwise CRC-32 (no table) over a generated buffer of N KiB (argv[1]). Shifts, xors, tight loops. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    long kib = argc > 1 ? atol(argv[1]) : 1024;
    size_t n = (size_t)kib * 1024;
    uint8_t *buf = malloc(n);
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (uint8_t)x;
    }
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        crc ^= buf[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
    }
    printf("crc32 of %ld KiB: %08x\n", kib, ~crc);
    free(buf);
    return 0;
}
