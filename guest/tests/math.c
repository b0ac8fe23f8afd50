/*
 * libm and the floating-point environment, printed with %a so every bit is compared. Inputs go through volatile
 * variables so the library is called at run time rather than folded by the compiler. No expression here has the
 * shape a*b+c: gcc would contract it into a fused multiply-add on riscv64 but not on x86-64.
 */
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdio.h>

static volatile double in[] = {0.0, -0.0, 0.5, 1.0, -1.0, 2.0, 3.0, 10.0, 0.1, 1e-8, 100.25, -7.75, 1e10,
                               3.141592653589793, 0.7853981633974483, 709.0, -745.0, 1e-300};
#define N (sizeof in / sizeof in[0])

static void show(const char *name, double v)
{
    if (isnan(v))
        printf(" %s=nan", name);   /* the sign of a default NaN differs between x86 and RISC-V */
    else
        printf(" %s=%a", name, v);
}

static void elementary(void)
{
    for (unsigned i = 0; i < N; i++) {
        double x = in[i];
        printf("x=%a", x);
        show("sin", sin(x));
        show("cos", cos(x));
        show("tan", tan(x));
        show("exp", exp(x));
        show("log", log(x));
        show("sqrt", sqrt(x));
        show("atan", atan(x));
        show("log10", log10(x));
        printf("\n");
    }
}

static void exact_ops(void)
{
    volatile double a = 7.5, b = -2.25, c = 1e-20, t = 5.0, big = 1e308, tiny = 0x1p-1074;
    printf("fma %a %a %a\n", fma(a, b, c), fma(0.1, 10.0, -1.0), fma(big, 10.0, -big));
    printf("fmod %a %a %a remainder %a\n", fmod(a, b), fmod(-a, 2.0), fmod(1e300, 3.0), remainder(a, 2.0));
    printf("floor %a %a ceil %a %a trunc %a round %a %a\n", floor(a), floor(b), ceil(a), ceil(b), trunc(b),
           round(2.5), round(-2.5));
    printf("rint %a %a %a nearbyint %a\n", rint(2.5), rint(3.5), rint(-0.5), nearbyint(t / 2.0));
    printf("pow %a %a %a %a %a\n", pow(2.0, 10.0), pow(a, 0.5), pow(-8.0, 1.0 / 3.0) != pow(-8.0, 1.0 / 3.0) ? 1.0 : 0.0,
           pow(10.0, -3.0), pow(0.0, -1.0));
    printf("hypot %a ldexp %a frexp ", hypot(3.0, 4.0), ldexp(a, -4));
    int e;
    double m = frexp(1e10, &e);
    printf("%a*2^%d modf ", m, e);
    double ip;
    double fp = modf(b, &ip);
    printf("%a+%a copysign %a fabs %a\n", ip, fp, copysign(a, -0.0), fabs(b));
    printf("min/max %a %a subnormal %a half %a nextafter %a\n", fmin(a, b), fmax(a, b), tiny, tiny / 2.0,
           nextafter(1.0, 2.0));
    printf("sqrt(2) %a float sqrt %a float ops %a %a\n", sqrt(2.0), (double)sqrtf(2.0f), (double)(1.0f / 3.0f),
           (double)((float)a * (float)b));
    printf("isnan %d isinf %d isfinite %d signbit %d %d\n", isnan(sqrt(-1.0)) != 0, isinf(exp(1000.0)) != 0,
           isfinite(big) != 0, signbit(-0.0) != 0, signbit(0.0) != 0);
    printf("int conversions %ld %ld %d %lu\n", (long)-2.9, (long)2.9, (int)(float)-1e5, (unsigned long)1e19);
}

static void rounding_modes(void)
{
    static const int modes[] = {FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO};
    static const char *names[] = {"nearest", "down", "up", "zero"};
    static volatile double vals[] = {2.5, 3.5, -2.5, -3.5, 2.4, -2.6, 0.5, -0.5, 1e15 + 0.5};
    for (int m = 0; m < 4; m++) {
        fesetround(modes[m]);
        printf("%-7s getround ok=%d lrint:", names[m], fegetround() == modes[m]);
        for (unsigned i = 0; i < sizeof vals / sizeof vals[0]; i++)
            printf(" %ld", lrint(vals[i]));
        volatile double one = 1.0, three = 3.0;
        printf(" llrint %lld rint %a nearbyint %a 1/3=%a -1/3=%a sqrt2=%a\n", llrint(vals[5]), rint(vals[0]),
               nearbyint(vals[3]), one / three, -one / three, sqrt(2.0 * one));
    }
    fesetround(FE_TONEAREST);
}

static void exceptions(void)
{
    volatile double zero = 0.0, one = 1.0, big = DBL_MAX, tiny = DBL_MIN;
    volatile double r;
    struct { const char *what; int flags; } res[6];
    int k = 0;

    feclearexcept(FE_ALL_EXCEPT);
    r = one / zero;
    res[k].what = "1/0", res[k++].flags = fetestexcept(FE_ALL_EXCEPT);
    feclearexcept(FE_ALL_EXCEPT);
    r = zero / zero;
    res[k].what = "0/0", res[k++].flags = fetestexcept(FE_ALL_EXCEPT);
    feclearexcept(FE_ALL_EXCEPT);
    r = big * 2.0;
    res[k].what = "max*2", res[k++].flags = fetestexcept(FE_ALL_EXCEPT);
    feclearexcept(FE_ALL_EXCEPT);
    r = tiny / 1e10;
    res[k].what = "min/1e10", res[k++].flags = fetestexcept(FE_ALL_EXCEPT);
    feclearexcept(FE_ALL_EXCEPT);
    r = one / 3.0;
    res[k].what = "1/3", res[k++].flags = fetestexcept(FE_ALL_EXCEPT);
    feclearexcept(FE_ALL_EXCEPT);
    r = one + one;
    res[k].what = "1+1", res[k++].flags = fetestexcept(FE_ALL_EXCEPT);
    (void)r;
    for (int i = 0; i < k; i++)
        printf("%-8s divbyzero=%d invalid=%d overflow=%d underflow=%d inexact=%d\n", res[i].what,
               !!(res[i].flags & FE_DIVBYZERO), !!(res[i].flags & FE_INVALID), !!(res[i].flags & FE_OVERFLOW),
               !!(res[i].flags & FE_UNDERFLOW), !!(res[i].flags & FE_INEXACT));
    feclearexcept(FE_ALL_EXCEPT);
    feraiseexcept(FE_OVERFLOW | FE_INEXACT);
    printf("feraiseexcept overflow|inexact -> overflow=%d inexact=%d invalid=%d\n", !!fetestexcept(FE_OVERFLOW),
           !!fetestexcept(FE_INEXACT), !!fetestexcept(FE_INVALID));
    fenv_t env;
    fegetenv(&env);
    feclearexcept(FE_ALL_EXCEPT);
    fesetround(FE_UPWARD);
    fesetenv(&env);
    printf("fesetenv restores flags=%d round nearest=%d\n", !!fetestexcept(FE_OVERFLOW), fegetround() == FE_TONEAREST);
    feclearexcept(FE_ALL_EXCEPT);
    volatile long l = lrint(1e30);
    (void)l;
    printf("lrint(1e30) invalid=%d\n", !!fetestexcept(FE_INVALID));
}

int main(void)
{
    elementary();
    exact_ops();
    rounding_modes();
    exceptions();
    return 0;
}
