#define _GNU_SOURCE
#include <pthread.h>
#include <stddef.h>
#include <linux/filter.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include "CMeridianSockets.h"

_Static_assert(sizeof(CMeridianMessage) == sizeof(struct mmsghdr), "CMeridianMessage must match struct mmsghdr");
_Static_assert(offsetof(CMeridianMessage, msg_len) == offsetof(struct mmsghdr, msg_len), "msg_len offset");

int CMeridian_recvmmsg(int socket, CMeridianMessage *messages, unsigned int count, int flags) {
    return recvmmsg(socket, (struct mmsghdr *)messages, count, flags, NULL);
}

int CMeridian_sendmmsg(int socket, CMeridianMessage *messages, unsigned int count, int flags) {
    return sendmmsg(socket, (struct mmsghdr *)messages, count, flags);
}

void CMeridian_setThreadName(const char *name) {
    pthread_setname_np(pthread_self(), name);
}

const uint32_t CMeridianReadable = EPOLLIN;
const uint32_t CMeridianWritable = EPOLLOUT;
const uint32_t CMeridianHangUp = EPOLLHUP | EPOLLRDHUP;
const uint32_t CMeridianError = EPOLLERR;

int CMeridian_epoll_create(void) {
    return epoll_create1(EPOLL_CLOEXEC);
}

int CMeridian_epoll_add(int epoll, int fd, uint32_t events, int exclusive) {
    struct epoll_event event = { .events = events | (exclusive ? EPOLLEXCLUSIVE : 0), .data = { .fd = fd } };
    return epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
}

int CMeridian_epoll_modify(int epoll, int fd, uint32_t events) {
    struct epoll_event event = { .events = events, .data = { .fd = fd } };
    return epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &event);
}

int CMeridian_epoll_remove(int epoll, int fd) {
    return epoll_ctl(epoll, EPOLL_CTL_DEL, fd, NULL);
}

int CMeridian_epoll_wait(int epoll, CMeridianEvent *events, int capacity, int timeoutMilliseconds) {
    struct epoll_event raw[256];
    if (capacity > 256) capacity = 256;
    int count = epoll_wait(epoll, raw, capacity, timeoutMilliseconds);
    for (int index = 0; index < count; index++) {
        events[index].events = raw[index].events;
        events[index].fd = raw[index].data.fd;
    }
    return count;
}

int CMeridian_accept(int listener, struct sockaddr_storage *address) {
    socklen_t length = sizeof(*address);
    return accept4(listener, (struct sockaddr *)address, &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

int CMeridian_steerByCPU(int socket, unsigned int groupSize) {
    struct sock_filter code[] = {
        { BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)(SKF_AD_OFF + SKF_AD_CPU) },
        { BPF_ALU | BPF_MOD | BPF_K, 0, 0, groupSize },
        { BPF_RET | BPF_A, 0, 0, 0 },
    };
    struct sock_fprog program = { .len = sizeof(code) / sizeof(code[0]), .filter = code };
    return setsockopt(socket, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &program, sizeof(program));
}

int CMeridian_descriptorLimit(uint64_t *soft, uint64_t *hard) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
    *soft = limit.rlim_cur;
    *hard = limit.rlim_max;
    return 0;
}

int CMeridian_setDescriptorLimit(uint64_t soft) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
    limit.rlim_cur = soft;
    return setrlimit(RLIMIT_NOFILE, &limit);
}
