"""What each read of the socket brings, seen through Python's ssl (OpenSSL) over memory BIOs.

usage: python3 tls_reads.py PORT
TLS 1.3 to 127.0.0.1:PORT, the certificate not checked (the test is about which records arrive together, not trust).
The client's Finished and its upgrade request to /echo leave in one write; then a close frame (1000). After each, one
read of the socket is decrypted as far as it goes. Then a second connection offers the first one's session ticket.
Prints one JSON object: the upgrade response, whether the ticket came in the same read, the close frame (hex),
whether close_notify came in the same read as it, and whether the second connection resumed.
"""
import base64
import json
import os
import socket
import ssl
import sys

port = int(sys.argv[1])
context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1_3
context.set_alpn_protocols(["http/1.1"])


def handshake(session=None):
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_hostname="localhost", session=session)
    while True:
        try:
            tls.do_handshake()
            return sock, tls, incoming, outgoing
        except ssl.SSLWantReadError:
            sock.sendall(outgoing.read())
            data = sock.recv(65536)
            if not data:
                raise SystemExit("the server closed the connection during the handshake")
            incoming.write(data)


def one_read(sock, tls, incoming):
    """Decrypts what one read of the socket brings: (plaintext, whether close_notify came with it)."""
    data = sock.recv(65536)
    if not data:
        raise SystemExit("the server closed the connection")
    incoming.write(data)
    plaintext = b""
    try:
        while True:
            chunk = tls.read(65536)
            if not chunk:
                return plaintext, True
            plaintext += chunk
    except ssl.SSLWantReadError:
        return plaintext, False
    except ssl.SSLZeroReturnError:
        return plaintext, True


sock, tls, incoming, outgoing = handshake()
key = base64.b64encode(os.urandom(16)).decode()
tls.write(("GET /echo HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % key).encode())
sock.sendall(outgoing.read())  # the client's Finished, then the request: one write
upgrade, _ = one_read(sock, tls, incoming)
ticket_with_upgrade = tls.session is not None and tls.session.has_ticket

mask = os.urandom(4)
code = (1000).to_bytes(2, "big")
tls.write(bytes([0x88, 0x80 | len(code)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(code)))
sock.sendall(outgoing.read())
close, close_notify_with_close = one_read(sock, tls, incoming)
session = tls.session
sock.close()

second, resumed_tls, _, _ = handshake(session)
resumed = resumed_tls.session_reused
second.close()

print(json.dumps({
    "upgrade": upgrade.decode("latin-1"),
    "ticket_with_upgrade": ticket_with_upgrade,
    "close": close.hex(),
    "close_notify_with_close": close_notify_with_close,
    "resumed": resumed,
}))
