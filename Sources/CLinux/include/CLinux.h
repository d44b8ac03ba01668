#pragma once
// Linux calls that Swift's Glibc module does not export: extended attributes (<sys/xattr.h>), and prctl, which is
// variadic (Swift imports no variadic C function).
#include <sys/types.h>
#include <sys/xattr.h>
#include <sys/prctl.h>
#include <signal.h>

/// Asks the kernel to SIGKILL this process when the thread that started it ends; 0 on success.
static inline int sluice_die_with_parent(void) { return prctl(PR_SET_PDEATHSIG, SIGKILL); }
