// recvmmsg and sendmmsg, which Swift's Glibc module does not expose (they need _GNU_SOURCE, which
// this header must not define: it would change the system headers that other modules share).
#ifndef C_MERIDIAN_SOCKETS_H
#define C_MERIDIAN_SOCKETS_H

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

#endif
