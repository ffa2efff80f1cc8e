// libFuzzer's driver, callable from Swift. It exists only in binaries linked with -sanitize=fuzzer
// (bench/fuzz builds them); the replay build never calls it.
#ifndef DRSOCIAL_FUZZ_DRIVER_H
#define DRSOCIAL_FUZZ_DRIVER_H
#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer with the command line `argc`/`argv`, calling `callback` for each input.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
