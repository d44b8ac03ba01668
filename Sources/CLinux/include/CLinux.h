#pragma once
// Linux calls that Swift's Glibc module does not export: extended attributes (<sys/xattr.h>).
#include <sys/types.h>
#include <sys/xattr.h>
