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
/// daemon calls it once start-up is over, so its resident set keeps only the code it runs again. Code run again is
/// mapped back at its first use, from the page cache (or from disk, if the kernel dropped the page meanwhile). Done
/// only when that mapping is private, read-only code from a file with no page written to (`r-xp`, an inode, no
/// anonymous pages: no breakpoint or probe set in it), which then comes back exactly as it was. Returns the bytes of
/// the mapping, or -1 with `errno` set (`EPERM`: not such a mapping).
long sluice_release_code_pages(void);
