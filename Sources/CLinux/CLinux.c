// Inline functions live in include/CLinux.h; this file holds the one that needs its own address in the executable.
#include "CLinux.h"
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

long sluice_release_code_pages(void) {
    uintptr_t here = (uintptr_t)&sluice_release_code_pages;
    FILE *maps = fopen("/proc/self/maps", "re");
    if (maps == NULL) return -1;
    char line[4096];
    long released = -1;
    errno = ENOENT;
    while (fgets(line, sizeof line, maps) != NULL) {
        unsigned long start, end;
        char permissions[5];
        if (sscanf(line, "%lx-%lx %4s", &start, &end, permissions) == 3 && start <= here && here < end) {
            if (permissions[2] == 'x' && madvise((void *)start, end - start, MADV_DONTNEED) == 0) released = (long)(end - start);
            break;
        }
    }
    fclose(maps);
    return released;
}
