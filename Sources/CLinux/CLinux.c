// Inline functions live in include/CLinux.h; this file holds the one that needs its own address in the executable.
#include "CLinux.h"
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

long sluice_release_code_pages(void) {
    uintptr_t here = (uintptr_t)&sluice_release_code_pages;
    FILE *smaps = fopen("/proc/self/smaps", "re");
    if (smaps == NULL) return -1;
    char line[4096];
    unsigned long start = 0, end = 0;
    int found = 0, releasable = 0, continued = 0;
    errno = ENOENT;
    while (fgets(line, sizeof line, smaps) != NULL) {
        // A line longer than the buffer (a long path) comes in pieces: only a line's first piece is parsed.
        int first = !continued;
        continued = strchr(line, '\n') == NULL;
        if (!first) continue;
        unsigned long low, high, offset, inode;
        char permissions[5];
        unsigned int major, minor;
        if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu", &low, &high, permissions, &offset, &major, &minor, &inode) == 7) {
            if (found) break; // the next mapping's header: the one holding this code is read whole
            if (low <= here && here < high) {
                found = 1;
                start = low;
                end = high;
                // Only code read from a file, never written, private: what MADV_DONTNEED maps back as it was.
                releasable = strcmp(permissions, "r-xp") == 0 && inode != 0;
            }
        } else if (found && strncmp(line, "Anonymous:", 10) == 0) {
            unsigned long kilobytes = 0;
            // Pages of it written to (a debugger's breakpoint, a probe): dropping them would undo that.
            if (sscanf(line + 10, "%lu", &kilobytes) != 1 || kilobytes != 0) releasable = 0;
        }
    }
    fclose(smaps);
    if (!found) return -1;
    if (!releasable) { errno = EPERM; return -1; }
    return madvise((void *)start, end - start, MADV_DONTNEED) == 0 ? (long)(end - start) : -1;
}
