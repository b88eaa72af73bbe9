// Linux kernel interfaces that Glibc's Swift module map leaves out.
#include <sys/signalfd.h>
#include <stdint.h>
#include <sys/epoll.h>

// struct epoll_event is packed on x86_64; Swift never sees it: these two wrappers take and give
// plain integers.

/// epoll_ctl with the events and a 64-bit token in place of the packed struct.
static inline int smallbmsd_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token) {
    struct epoll_event event;
    event.events = events;
    event.data.u64 = token;
    return epoll_ctl(epfd, op, fd, &event);
}

/// epoll_wait into parallel arrays of tokens and events (at most 16 at a time).
static inline int smallbmsd_epoll_wait(int epfd, uint64_t *tokens, uint32_t *events, int capacity, int timeout) {
    struct epoll_event ready[16];
    if (capacity > 16) capacity = 16;
    int count = epoll_wait(epfd, ready, capacity, timeout);
    for (int i = 0; i < count; i++) {
        tokens[i] = ready[i].data.u64;
        events[i] = ready[i].events;
    }
    return count;
}
