// Linux only: what Swift's Glibc module does not expose, or imports differently from one glibc to the next.
// Batched datagrams (recvmmsg, sendmmsg, which need _GNU_SOURCE: this header must not define it, since it would
// change the system headers that other modules share), epoll with EPOLLEXCLUSIVE (create, add, modify, remove, wait;
// `struct epoll_event` is packed on x86-64), accept4 (non-blocking, close-on-exec), the SO_REUSEPORT BPF program that
// steers datagrams by CPU, RLIMIT_NOFILE (read and raise), and thread names (pthread_setname_np).
#ifndef C_MERIDIAN_SOCKETS_H
#define C_MERIDIAN_SOCKETS_H

#include <stdint.h>
#include <sys/socket.h>

/// One message of a batch, laid out exactly as `struct mmsghdr`.
typedef struct {
    struct msghdr msg_hdr;
    unsigned int msg_len;
} CMeridianMessage;

/// Receives up to `count` datagrams; returns how many, or -1 with errno set.
int CMeridian_recvmmsg(int socket, CMeridianMessage *messages, unsigned int count, int flags);

/// Sends up to `count` datagrams; returns how many, or -1 with errno set.
int CMeridian_sendmmsg(int socket, CMeridianMessage *messages, unsigned int count, int flags);

/// One readiness event, as `CMeridian_epoll_wait` reports it (`struct epoll_event` is packed on
/// x86-64, which Swift does not import well).
typedef struct {
    uint32_t events;
    int32_t fd;
} CMeridianEvent;

/// Readiness flags, as epoll defines them.
extern const uint32_t CMeridianReadable;
extern const uint32_t CMeridianWritable;
extern const uint32_t CMeridianHangUp;
extern const uint32_t CMeridianError;

/// A new epoll instance (close-on-exec), or -1 with errno set.
int CMeridian_epoll_create(void);

/// Watches `fd` for `events` (level-triggered); `exclusive` wakes one of the instances that watch
/// the same descriptor (EPOLLEXCLUSIVE). Returns 0, or -1 with errno set.
int CMeridian_epoll_add(int epoll, int fd, uint32_t events, int exclusive);

/// Changes what `fd` is watched for. Returns 0, or -1 with errno set.
int CMeridian_epoll_modify(int epoll, int fd, uint32_t events);

/// Stops watching `fd` (the only way to pause a descriptor added with `exclusive`, which
/// EPOLL_CTL_MOD refuses). Returns 0, or -1 with errno set.
int CMeridian_epoll_remove(int epoll, int fd);

/// Waits up to `timeoutMilliseconds` for events; returns how many, or -1 with errno set.
int CMeridian_epoll_wait(int epoll, CMeridianEvent *events, int capacity, int timeoutMilliseconds);

/// Accepts a connection as a non-blocking, close-on-exec socket; the peer's address goes to
/// `address`. Returns the descriptor, or -1 with errno set.
int CMeridian_accept(int listener, struct sockaddr_storage *address);

/// Makes a SO_REUSEPORT group of `groupSize` sockets (bound in order) hand each datagram to the
/// socket whose index is the number of the CPU that processes it, modulo the group size
/// (SO_ATTACH_REUSEPORT_CBPF). Returns 0, or -1 with errno set.
int CMeridian_steerByCPU(int socket, unsigned int groupSize);

/// The soft and hard RLIMIT_NOFILE of the process (RLIM_INFINITY is UINT64_MAX). Returns 0, or
/// -1 with errno set.
int CMeridian_descriptorLimit(uint64_t *soft, uint64_t *hard);

/// Sets the soft RLIMIT_NOFILE, keeping the hard one. Returns 0, or -1 with errno set.
int CMeridian_setDescriptorLimit(uint64_t soft);

/// Names the calling thread (as `ps -L` and `top -H` show it; at most 15 characters).
void CMeridian_setThreadName(const char *name);

#endif
