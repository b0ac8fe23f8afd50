/* setjmp/longjmp: values, nested buffers, unwinding through recursion, sigsetjmp without signals. */
#include <setjmp.h>
#include <stdio.h>

#pragma GCC diagnostic ignored "-Winfinite-recursion"

static jmp_buf outer, inner;
static int depth_reached;

static void recurse(int depth)
{
    volatile char pad[64];
    pad[depth % 64] = (char)depth;
    depth_reached = depth + pad[depth % 64] - depth;
    if (depth == 100)
        longjmp(outer, depth);
    recurse(depth + 1);
}

static void thrower(int v) { longjmp(inner, v); }

int main(void)
{
    volatile int count = 0;
    int r = setjmp(outer);
    printf("setjmp returned %d (count %d)\n", r, count);
    if (count++ < 3)
        longjmp(outer, count * 10);

    r = setjmp(outer);
    if (r == 0)
        recurse(0);
    printf("unwound from depth %d, value %d\n", depth_reached, r);

    r = setjmp(inner);
    if (r == 0)
        thrower(0);
    printf("longjmp(0) yields %d\n", r);

    volatile double d = 1.5;
    volatile long l = 7;
    if ((r = setjmp(inner)) == 0) {
        d = 2.5;
        l = 8;
        thrower(5);
    }
    printf("volatile locals kept: %g %ld r=%d\n", d, l, r);

    sigjmp_buf sj;
    if ((r = sigsetjmp(sj, 1)) == 0)
        siglongjmp(sj, 77);
    printf("siglongjmp %d\n", r);
    return 0;
}
