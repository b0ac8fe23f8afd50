/* Benchmark baseline: does nothing, so its time is start-up alone (for jkernel: JVM start, load, exit). */
#include "instret.h"
int main(void)
{
    report_instret();
    return 0;
}
