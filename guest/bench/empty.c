/* Benchmark baseline: does nothing, so its time is start-up alone (for jkernel: JVM start, load, exit). */
int main(void)
{
    return 0;
}
