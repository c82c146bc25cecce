#include "appseal_fuzz_driver.h"

// libFuzzer's entry for programs that keep their own main. SwiftPM links every executable with
// its own main (aliased to <Target>_main), so libFuzzer's main cannot be used; this calls its driver.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

int appseal_fuzz_main(int argc, char **argv, appseal_fuzz_callback callback) {
    return LLVMFuzzerRunDriver(&argc, &argv, callback);
}
