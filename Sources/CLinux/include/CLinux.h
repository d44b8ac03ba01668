#pragma once
// Linux calls that Swift's Glibc module does not export: extended attributes (<sys/xattr.h>), and prctl, which is
// variadic (Swift imports no variadic C function).
#include <sys/types.h>
#include <sys/xattr.h>
#include <sys/prctl.h>
#include <signal.h>

/// Asks the kernel to SIGKILL this process when the thread that started it ends; 0 on success.
static inline int sluice_die_with_parent(void) { return prctl(PR_SET_PDEATHSIG, SIGKILL); }

/// Lets go of this executable's code pages (`MADV_DONTNEED` on the mapping that holds this function's code): a
/// daemon calls it once start-up is over, so its resident set keeps only the code it runs again. The pages stay in
/// the page cache; code run again is mapped back at its first use (a minor fault, nothing read). Safe for code
/// pages only, which nothing writes (the executable has no text relocations). Returns the bytes of the mapping, or
/// -1 with `errno` set.
long sluice_release_code_pages(void);
