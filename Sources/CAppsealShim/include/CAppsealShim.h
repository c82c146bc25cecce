// Prefixed C wrappers for what Swift cannot import: variadic functions, macros,
// and declarations glibc hides behind _GNU_SOURCE.
// One header per library; each wrapper's comment says why it exists.
#include "appseal_zlib.h"
#include "appseal_openssl.h"
#include "appseal_ncurses.h"
#include "appseal_file.h"
