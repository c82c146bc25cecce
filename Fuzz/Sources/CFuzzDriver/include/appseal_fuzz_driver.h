#ifndef APPSEAL_FUZZ_DRIVER_H
#define APPSEAL_FUZZ_DRIVER_H
#include <stddef.h>
#include <stdint.h>

typedef int (*appseal_fuzz_callback)(const uint8_t *data, size_t size);

// Runs libFuzzer with the given input callback and the process's arguments.
int appseal_fuzz_main(int argc, char **argv, appseal_fuzz_callback callback);

#endif
