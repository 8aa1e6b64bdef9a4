"""A raw WebSocket peer for abuse tests: Python's ssl sockets and hand-made frames, no WebSocket library.

usage: python3 raw_frames.py HOST PORT PATH CA_FILE SCRIPT_JSON
SCRIPT_JSON is a list of steps, run in order:
  {"with_request": "HEX"}                  (first step only) send these bytes in the same write as the upgrade request
  {"send": "HEX"}                          send these bytes as they are (crafted frames)
  {"ping_flood": N}                        send N masked pings as fast as the socket takes them
  {"send_without_reading": N, "size": S}   send up to N masked binary messages of S bytes, never reading
  {"read": SECONDS}                        read frames until the server closes the connection or SECONDS pass
  {"sleep": SECONDS}
Events, one JSON object per line: upgraded, sent, frame, eof, timeout, error.
"""
import base64
import json
import os
import select
import socket
import ssl
import struct
import sys
import time


def emit(event):
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def frame(opcode, payload, fin=True):
    mask = os.urandom(4)
    header = bytes([(0x80 if fin else 0) | opcode])
    n = len(payload)
    if n < 126:
        header += bytes([0x80 | n])
    elif n < 65536:
        header += bytes([0x80 | 126]) + struct.pack(">H", n)
    else:
        header += bytes([0x80 | 127]) + struct.pack(">Q", n)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return header + mask + masked


def read_frames(sock, seconds, buffer):
    deadline = time.time() + seconds
    while True:
        while True:
            parsed = parse(buffer)
            if parsed is None:
                break
            event, used = parsed
            del buffer[:used]
            emit(event)
        left = deadline - time.time()
        if left <= 0:
            emit({"event": "timeout"})
            return
        readable, _, _ = select.select([sock], [], [], left)
        if not readable and sock.pending() == 0:
            continue
        try:
            chunk = sock.recv(65536)
        except (ConnectionError, ssl.SSLError) as error:
            emit({"event": "eof", "error": str(error)})
            return
        if not chunk:
            emit({"event": "eof"})
            return
        buffer.extend(chunk)


def parse(buffer):
    if len(buffer) < 2:
        return None
    opcode = buffer[0] & 0x0F
    length = buffer[1] & 0x7F
    at = 2
    if length == 126:
        if len(buffer) < 4:
            return None
        length = struct.unpack(">H", bytes(buffer[2:4]))[0]
        at = 4
    elif length == 127:
        if len(buffer) < 10:
            return None
        length = struct.unpack(">Q", bytes(buffer[2:10]))[0]
        at = 10
    if len(buffer) < at + length:
        return None
    payload = bytes(buffer[at:at + length])
    event = {"event": "frame", "opcode": opcode, "length": length, "fin": bool(buffer[0] & 0x80)}
    if opcode == 8 and length >= 2:
        event["code"] = struct.unpack(">H", payload[:2])[0]
        event["reason"] = payload[2:].decode("utf-8", "replace")
    return event, at + length


def main():
    host, port, path, ca, script = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], json.loads(sys.argv[5])
    context = ssl.create_default_context(cafile=ca)
    context.set_alpn_protocols(["http/1.1"])
    sock = context.wrap_socket(socket.create_connection((host, port), timeout=10), server_hostname="localhost")
    key = base64.b64encode(os.urandom(16)).decode()
    early = bytes.fromhex(script.pop(0)["with_request"]) if script and "with_request" in script[0] else b""
    sock.sendall(("GET %s HTTP/1.1\r\nHost: localhost:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % (path, port, key)).encode() + early)
    response = b""
    while b"\r\n\r\n" not in response:
        chunk = sock.recv(4096)
        if not chunk:
            emit({"event": "error", "message": "closed during the handshake"})
            return
        response += chunk
    head, _, rest = response.partition(b"\r\n\r\n")
    emit({"event": "upgraded", "status": head.split(b" ")[1].decode()})
    buffer = bytearray(rest)
    sock.settimeout(None)
    for step in script:
        if "send" in step:
            sock.sendall(bytes.fromhex(step["send"]))
            emit({"event": "sent", "bytes": len(step["send"]) // 2})
        elif "ping_flood" in step:
            ping = frame(0x9, b"flood")
            started = time.time()
            for _ in range(step["ping_flood"]):
                sock.sendall(ping)
            emit({"event": "sent", "pings": step["ping_flood"], "seconds": time.time() - started})
        elif "send_without_reading" in step:
            message = frame(0x2, b"x" * step["size"])
            sock.settimeout(step.get("seconds", 20))
            sent = 0
            try:
                while sent < step["send_without_reading"]:
                    sock.sendall(message)
                    sent += 1
                emit({"event": "sent", "messages": sent})
            except (ConnectionError, ssl.SSLError, OSError) as error:
                emit({"event": "sent", "messages": sent, "stopped": type(error).__name__})
            sock.settimeout(None)
        elif "read" in step:
            read_frames(sock, step["read"], buffer)
        elif "sleep" in step:
            time.sleep(step["sleep"])


main()
