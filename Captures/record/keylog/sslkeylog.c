/*
 * sslkeylog.c - LD_PRELOAD helper that makes any OpenSSL 1.1.1/3.x program
 * write its TLS secrets in NSS key log format to the file named by the
 * SSLKEYLOGFILE environment variable (one "LABEL client_random secret" line
 * per secret, as Wireshark reads them).
 *
 * Debian 12's FreeRDP 2.11 has no option for this, so the rig preloads this
 * library into xfreerdp.  It wraps SSL_new(): the real SSL_new is looked up
 * with dlsym(RTLD_NEXT) and called, then OpenSSL's documented
 * SSL_CTX_set_keylog_callback() installs a callback on the SSL object's
 * context.  The callback appends the line OpenSSL hands it, plus a newline.
 *
 * Build (record.sh does this into its temp dir; the .so is never committed):
 *   gcc -shared -fPIC -O2 -o sslkeylog.so sslkeylog.c -ldl -lssl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/ssl.h>

static void keylog_line(const SSL *ssl, const char *line)
{
    (void)ssl;
    const char *path = getenv("SSLKEYLOGFILE");
    if (path == NULL || *path == '\0' || line == NULL)
        return;
    /* Open per line with O_APPEND: no state, safe across forks and threads
     * for lines shorter than PIPE_BUF-ish sizes (these are < 300 bytes). */
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    size_t n = strlen(line);
    char buf[1024];
    if (n + 1 <= sizeof buf) {
        memcpy(buf, line, n);
        buf[n] = '\n';
        ssize_t w = write(fd, buf, n + 1);
        (void)w;
    }
    close(fd);
}

SSL *SSL_new(SSL_CTX *ctx)
{
    static SSL *(*real_ssl_new)(SSL_CTX *) = NULL;
    if (real_ssl_new == NULL) {
        real_ssl_new = (SSL *(*)(SSL_CTX *))dlsym(RTLD_NEXT, "SSL_new");
        if (real_ssl_new == NULL)
            return NULL;
    }
    SSL *ssl = real_ssl_new(ctx);
    if (ssl != NULL && ctx != NULL && getenv("SSLKEYLOGFILE") != NULL)
        SSL_CTX_set_keylog_callback(ctx, keylog_line);
    return ssl;
}
