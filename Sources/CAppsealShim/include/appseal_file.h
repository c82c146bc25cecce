#ifndef APPSEAL_FILE_H
#define APPSEAL_FILE_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

// fallocate(2), splice(2), pipe2(2) and F_SETPIPE_SZ are declared by glibc only under _GNU_SOURCE,
// which Swift's Glibc module does not set. Elsewhere than Linux these fail with ENOSYS.

// Allocates [offset, offset + length) and extends the file to cover it; 0, or -1 with errno.
int appseal_fallocate(int fd, int64_t offset, int64_t length);

// splice(2) between a file and a pipe. A non-NULL offset is used instead of the file position
// and advanced by the bytes moved. Returns the bytes moved, or -1 with errno.
ssize_t appseal_splice(int fdIn, int64_t *offsetIn, int fdOut, int64_t *offsetOut, size_t length);

// A pipe whose two ends close on exec: fds[0] reads, fds[1] writes. 0, or -1 with errno.
int appseal_cloexec_pipe(int fds[2]);

// Asks for a pipe buffer of `size` bytes; returns the size granted, or -1 with errno.
int appseal_set_pipe_size(int fd, int size);

#endif
