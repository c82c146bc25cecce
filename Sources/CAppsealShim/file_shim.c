#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include "appseal_file.h"

int appseal_fallocate(int fd, int64_t offset, int64_t length) {
#ifdef __linux__
    return fallocate(fd, 0, (off_t)offset, (off_t)length);
#else
    (void)fd; (void)offset; (void)length;
    errno = ENOSYS;
    return -1;
#endif
}

ssize_t appseal_splice(int fdIn, int64_t *offsetIn, int fdOut, int64_t *offsetOut, size_t length) {
#ifdef __linux__
    loff_t in = offsetIn ? (loff_t)*offsetIn : 0;
    loff_t out = offsetOut ? (loff_t)*offsetOut : 0;
    ssize_t moved = splice(fdIn, offsetIn ? &in : NULL, fdOut, offsetOut ? &out : NULL, length, SPLICE_F_MOVE);
    if (offsetIn) *offsetIn = (int64_t)in;
    if (offsetOut) *offsetOut = (int64_t)out;
    return moved;
#else
    (void)fdIn; (void)offsetIn; (void)fdOut; (void)offsetOut; (void)length;
    errno = ENOSYS;
    return -1;
#endif
}

int appseal_cloexec_pipe(int fds[2]) {
#ifdef __linux__
    return pipe2(fds, O_CLOEXEC);
#else
    (void)fds;
    errno = ENOSYS;
    return -1;
#endif
}

int appseal_set_pipe_size(int fd, int size) {
#ifdef __linux__
    return fcntl(fd, F_SETPIPE_SZ, size);
#else
    (void)fd; (void)size;
    errno = ENOSYS;
    return -1;
#endif
}
