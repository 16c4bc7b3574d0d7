// Debian's OpenSSL 3 (libssl-dev): the big-number arithmetic of DirectorKey's X25519 form.
#include <openssl/bn.h>
