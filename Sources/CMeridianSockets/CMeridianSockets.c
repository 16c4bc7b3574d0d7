#define _GNU_SOURCE
#include <stddef.h>
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
