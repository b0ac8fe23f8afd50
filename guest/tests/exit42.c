/* The exit status reaches the harness: main returns 42 (see exit42.status) after flushing buffered output. */
#include <stdio.h>

int main(void)
{
    printf("buffered output is flushed before exit\n");
    return 42;
}
