#ifndef APPSEAL_ZLIB_H
#define APPSEAL_ZLIB_H
#include <zlib.h>

// inflateInit2/deflateInit2 are macros over the *_ functions that pass the library version.
int appseal_inflateInit2(z_streamp stream, int windowBits);
int appseal_deflateInit2(z_streamp stream, int level, int method, int windowBits, int memLevel, int strategy);

#endif
