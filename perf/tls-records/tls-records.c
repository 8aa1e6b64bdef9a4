/* The cost of TLS 1.3 records in a TLS library, apart from sockets and from WssKit: a client and a server in one
 * process over a BIO pair (memory), AES-128-GCM. Times only the server's calls, for the two shapes of the rig's echo:
 *   single: one 38-byte record in (SSL_read), one out (SSL_write)        (scenario b: one message per pass)
 *   batch:  16 records in (16 SSL_read), one 16-frame record out          (scenario a: a window of 16 per pass)
 * and a full handshake with the server's certificate (scenario d): SSL_new, SSL_do_handshake, SSL_free on the server.
 * Builds against OpenSSL or BoringSSL (see run.sh); same source for both.
 * usage: tls-records CERT KEY [ITERATIONS] [release-buffers] */
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

static void die(const char *what) {
  fprintf(stderr, "tls-records: %s failed\n", what);
  ERR_print_errors_fp(stderr);
  exit(1);
}

/* Runs both sides until their handshakes are done; returns the time spent in the server's calls. */
static double handshake(SSL *client, SSL *server) {
  int c = 0, s = 0;
  double server_ns = 0;
  for (int round = 0; round < 100 && (c != 1 || s != 1); round++) {
    if (c != 1) c = SSL_do_handshake(client);
    double t = now_ns();
    if (s != 1) s = SSL_do_handshake(server);
    server_ns += now_ns() - t;
  }
  if (c != 1 || s != 1) die("handshake");
  return server_ns;
}

/* A client and a server connected by a BIO pair (64 KiB each way: a flight, or 16 records, fits). */
static void connect_pair(SSL *client, SSL *server) {
  BIO *sbio, *cbio;
  if (!BIO_new_bio_pair(&sbio, 1 << 16, &cbio, 1 << 16)) die("BIO_new_bio_pair");
  SSL_set_bio(server, sbio, sbio);
  SSL_set_bio(client, cbio, cbio);
  SSL_set_accept_state(server);
  SSL_set_connect_state(client);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: tls-records CERT KEY [ITERATIONS] [release-buffers]\n");
    return 2;
  }
  long iterations = argc > 3 ? atol(argv[3]) : 200000;
  int release = argc > 4 && strcmp(argv[4], "release-buffers") == 0;
  SSL_CTX *sctx = SSL_CTX_new(TLS_server_method()), *cctx = SSL_CTX_new(TLS_client_method());
  if (!sctx || !cctx) die("SSL_CTX_new");
  SSL_CTX_set_min_proto_version(sctx, TLS1_3_VERSION);
  SSL_CTX_set_min_proto_version(cctx, TLS1_3_VERSION);
#ifndef OPENSSL_IS_BORINGSSL
  SSL_CTX_set_ciphersuites(cctx, "TLS_AES_128_GCM_SHA256"); /* BoringSSL prefers AES-128-GCM with AES hardware */
#endif
  if (SSL_CTX_use_certificate_chain_file(sctx, argv[1]) != 1) die("certificate");
  if (SSL_CTX_use_PrivateKey_file(sctx, argv[2], SSL_FILETYPE_PEM) != 1) die("key");
  if (release) SSL_CTX_set_mode(sctx, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_read_ahead(sctx, 1); /* as WssKit: one read takes every record that arrived */
  SSL *server = SSL_new(sctx), *client = SSL_new(cctx);
  connect_pair(client, server);
  handshake(client, server);
  unsigned char message[38] = {0x81, 0x20}, reply[16 * 34], buffer[16 * 1024 + 256];
  const int batch = 16;
  /* the client's tickets and anything else pending are read first */
  SSL_read(client, buffer, sizeof buffer);
  double single = 0, batched = 0;
  for (long i = 0; i < iterations; i++) {
    if (SSL_write(client, message, sizeof message) != sizeof message) die("client write");
    double t = now_ns();
    if (SSL_read(server, buffer, sizeof buffer) != sizeof message) die("server read");
    if (SSL_write(server, reply, 34) != 34) die("server write");
    single += now_ns() - t;
    if (SSL_read(client, buffer, sizeof buffer) != 34) die("client read");
  }
  for (long i = 0; i < iterations / batch; i++) {
    for (int m = 0; m < batch; m++)
      if (SSL_write(client, message, sizeof message) != sizeof message) die("client write");
    double t = now_ns();
    for (int m = 0; m < batch; m++)
      if (SSL_read(server, buffer, sizeof buffer) != sizeof message) die("server read");
    if (SSL_write(server, reply, batch * 34) != batch * 34) die("server write");
    batched += now_ns() - t;
    if (SSL_read(client, buffer, sizeof buffer) != batch * 34) die("client read");
  }
  const char *cipher = SSL_CIPHER_get_name(SSL_get_current_cipher(server));
  /* Handshakes: the server's side only (the client's key exchange and verification are left out of the time). */
  const int handshakes = 2000;
  double shaking = 0;
  for (int i = 0; i < handshakes; i++) {
    SSL *c = SSL_new(cctx);
    double t = now_ns();
    SSL *s = SSL_new(sctx);
    shaking += now_ns() - t;
    connect_pair(c, s);
    shaking += handshake(c, s);
    SSL_free(c);
    t = now_ns();
    SSL_free(s);
    shaking += now_ns() - t;
  }
  printf("{\"library\":\"%s\",\"cipher\":\"%s\",\"release_buffers\":%s,\"iterations\":%ld,"
         "\"single_ns_per_message\":%.0f,\"batch16_ns_per_message\":%.0f,\"handshake_us\":%.1f}\n",
         OpenSSL_version(OPENSSL_VERSION), cipher, release ? "true" : "false",
         iterations, single / iterations, batched / (iterations / batch * batch), shaking / handshakes / 1000);
  return 0;
}
