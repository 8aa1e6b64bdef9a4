"""A WebSocket echo server on Python's `websockets` package (Debian's), for testing our clients against it.

usage: python3 ws_server.py [--tls CERT KEY] [--client-ca FILE]
Prints {"event": "listening", "port": N} once it listens on 127.0.0.1 (a free port). Echoes every message with its
type; the text "whoami" answers with the common name of the client certificate (mutual TLS with --client-ca, which
makes a client certificate issued by that CA required); "close CODE REASON" closes with that code.
"""
import argparse
import asyncio
import json
import ssl
import sys

import websockets


async def handle(socket, path=None):
    async for message in socket:
        if message == "whoami":
            certificate = socket.transport.get_extra_info("peercert") or {}
            names = [value for rdn in certificate.get("subject", ()) for key, value in rdn if key == "commonName"]
            await socket.send(names[0] if names else "anonymous")
        elif isinstance(message, str) and message.startswith("close "):
            _, code, *reason = message.split(" ")
            await socket.close(int(code), " ".join(reason))
        else:
            await socket.send(message)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--client-ca")
    args = parser.parse_args()
    context = None
    if args.tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*args.tls)
        if args.client_ca:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(args.client_ca)
    async with websockets.serve(handle, "127.0.0.1", 0, ssl=context, max_size=None) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        sys.stdout.write(json.dumps({"event": "listening", "port": port}) + "\n")
        sys.stdout.flush()
        await asyncio.Future()


asyncio.run(main())
