#include "appseal_zlib.h"

int appseal_inflateInit2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}

int appseal_deflateInit2(z_streamp stream, int level, int method, int windowBits, int memLevel, int strategy) {
    return deflateInit2(stream, level, method, windowBits, memLevel, strategy);
}
