// Headers and inline functions only (see include/CLinux.h); SwiftPM wants a source file in a C target.
#include "CLinux.h"
