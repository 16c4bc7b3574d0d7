// Debian's OpenSSL 3 (libssl-dev): the big-number arithmetic of DirectorKey's X25519 form, and
// the TLS of the HTTPS redirect listener (`TLSServerContext`). The functions below stand in for
// OpenSSL's function-like macros, which Swift does not import.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

/// The options every server context takes: no renegotiation, no compression, the server's
/// cipher order, an unexpected EOF read as a plain close, and no session cache (tickets only).
static inline void CMeridianTLS_set_server_options(SSL_CTX *context) {
    SSL_CTX_set_options(context, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE
                                     | SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
    // Resumption is by session ticket alone: no server-side session cache to fill and lock.
    SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_OFF);
}

static inline int CMeridianTLS_set_min_version(SSL_CTX *context, int version) {
    return (int)SSL_CTX_set_min_proto_version(context, version);
}

static inline void CMeridianTLS_set_servername_callback(SSL_CTX *context, int (*callback)(SSL *, int *, void *), void *argument) {
    SSL_CTX_set_tlsext_servername_callback(context, callback);
    SSL_CTX_set_tlsext_servername_arg(context, argument);
}

/// The name the client asked for (SNI), or NULL.
static inline const char *CMeridianTLS_servername(const SSL *session) {
    return SSL_get_servername(session, TLSEXT_NAMETYPE_host_name);
}

static inline int CMeridianTLS_set_host_name(SSL *session, const char *name) {
    return (int)SSL_set_tlsext_host_name(session, name);
}

static inline int CMeridianTLS_set_max_version(SSL_CTX *context, int version) {
    return (int)SSL_CTX_set_max_proto_version(context, version);
}

static inline int CMeridianTLS_version_1_2(void) { return TLS1_2_VERSION; }
static inline int CMeridianTLS_version_1_3(void) { return TLS1_3_VERSION; }
static inline int CMeridianTLS_ext_ok(void) { return SSL_TLSEXT_ERR_OK; }
static inline int CMeridianTLS_ext_noack(void) { return SSL_TLSEXT_ERR_NOACK; }

/// Sets up a session ticket's protection for the ticket key callback (`TLSTicketKeys`): AES-256-CBC
/// with `aes` (32 bytes) and `iv` (16 bytes), HMAC-SHA256 with `hmac` (32 bytes). 1 on success.
static inline int CMeridianTLS_ticket_cipher(EVP_CIPHER_CTX *cipher, EVP_MAC_CTX *mac, const unsigned char *aes,
                                             const unsigned char *hmac, const unsigned char *iv, int encrypt) {
    OSSL_PARAM params[3];
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, (void *)hmac, 32);
    params[1] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
    params[2] = OSSL_PARAM_construct_end();
    if (EVP_MAC_CTX_set_params(mac, params) != 1) return 0;
    return encrypt ? EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), NULL, aes, iv)
                   : EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), NULL, aes, iv);
}
