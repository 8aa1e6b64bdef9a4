"""The TLS records that carry each echo, seen through Python's ssl (OpenSSL) over memory BIOs.

usage: python3 tls_records.py PORT SIZE...
TLS 1.3 to 127.0.0.1:PORT, the certificate not checked (the test is about records, not trust). Upgrades /echo, then
for each SIZE sends one binary message of that many random bytes and reads its echo one record at a time.
Prints one JSON object per message: the size, the plaintext length of each record that carried the echo, and
whether the echo's payload is the message byte for byte.
"""
import base64
import hashlib
import json
import os
import socket
import ssl
import sys

port, sizes = int(sys.argv[1]), [int(size) for size in sys.argv[2:]]
context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1_3
context.set_alpn_protocols(["http/1.1"])

sock = socket.create_connection(("127.0.0.1", port), timeout=10)
incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
tls = context.wrap_bio(incoming, outgoing, server_hostname="localhost")
received = b""  # ciphertext read from the socket, not yet fed to the TLS object


def next_record():
    """Feeds the next whole record to the TLS object; returns the plaintext it gives (empty for a session ticket)."""
    global received
    while len(received) < 5 or len(received) < 5 + int.from_bytes(received[3:5], "big"):
        data = sock.recv(65536)
        if not data:
            raise SystemExit("the server closed the connection")
        received += data
    length = 5 + int.from_bytes(received[3:5], "big")
    incoming.write(received[:length])
    received = received[length:]
    plaintext = b""
    try:
        while True:
            plaintext += tls.read(65536)
    except ssl.SSLWantReadError:
        return plaintext


while True:
    try:
        tls.do_handshake()
        break
    except ssl.SSLWantReadError:
        sock.sendall(outgoing.read())
        next_record()
key = base64.b64encode(os.urandom(16)).decode()
tls.write(("GET /echo HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % key).encode())
sock.sendall(outgoing.read())
head = b""
while b"\r\n\r\n" not in head:
    head += next_record()
if b" 101 " not in head.split(b"\r\n")[0] or not head.endswith(b"\r\n\r\n"):
    raise SystemExit("not upgraded, or more than the 101 came: %r" % head)

for size in sizes:
    payload = os.urandom(size)
    mask = os.urandom(4)
    length = bytes([size]) if size < 126 else bytes([126]) + size.to_bytes(2, "big") if size < 65536 else bytes([127]) + size.to_bytes(8, "big")
    keystream = (mask * (size // 4 + 1))[:size]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(keystream, "big")).to_bytes(size, "big")
    tls.write(bytes([0x82, 0x80 | length[0]]) + length[1:] + mask + masked)
    sock.sendall(outgoing.read())
    frame, records = b"", []
    while True:
        plaintext = next_record()
        records.append(len(plaintext))
        frame += plaintext
        if len(frame) >= 2:
            short = frame[1] & 0x7F
            header = 2 + {126: 2, 127: 8}.get(short, 0)
            if len(frame) >= header:
                declared = short if short < 126 else int.from_bytes(frame[2:header], "big")
                if len(frame) >= header + declared:
                    break
    echoed = frame[header:]
    print(json.dumps({"size": size, "records": records, "same": frame[0] == 0x82 and hashlib.sha256(echoed).digest() == hashlib.sha256(payload).digest()}))
sock.close()
