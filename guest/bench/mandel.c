/* Benchmark: Mandelbrot set on an N x N grid (argv[1]), 200 iterations max. Double-precision arithmetic. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 400;
    long inside = 0, iters = 0;
    for (int py = 0; py < n; py++) {
        double ci = -1.5 + 3.0 * py / n;
        for (int px = 0; px < n; px++) {
            double cr = -2.0 + 3.0 * px / n, zr = 0, zi = 0;
            int k = 0;
            while (k < 200) {
                double zr2 = zr * zr, zi2 = zi * zi;
                if (zr2 + zi2 > 4.0)
                    break;
                zi = 2.0 * zr * zi + ci;
                zr = zr2 - zi2 + cr;
                k++;
            }
            iters += k;
            inside += k == 200;
        }
    }
    /* The counts may differ from x86-64 by a few points: riscv64 gcc fuses multiply-adds. */
    printf("mandelbrot %dx%d: %ld inside, %ld iterations\n", n, n, inside, iters);
    return 0;
}
