"""A scriptable WebSocket client on Python's `websockets` package (Debian's), driven by the functional tests.

usage: python3 ws_client.py URL [--ca FILE] [--origin ORIGIN] [--protocol NAME]...
Commands, one per line on stdin: send TEXT | close [CODE [REASON]] | exit
Events, one JSON object per line on stdout: open, message, close, error, unexpected-response.
"""
import argparse
import asyncio
import json
import os
import ssl
import sys

import websockets


def emit(event):
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--ca")
    parser.add_argument("--origin")
    parser.add_argument("--protocol", action="append", default=[])
    args = parser.parse_args()
    context = None
    if args.url.startswith("wss://"):
        context = ssl.create_default_context(cafile=args.ca)
    try:
        socket = await websockets.connect(args.url, ssl=context, origin=args.origin,
                                          subprotocols=args.protocol or None, max_size=None)
    except websockets.exceptions.InvalidStatusCode as error:
        emit({"event": "unexpected-response", "status": error.status_code})
        return
    except Exception as error:  # the test reads the message
        emit({"event": "error", "message": str(error)})
        return
    extensions = ", ".join(type(extension).__name__ for extension in socket.extensions)
    emit({"event": "open", "protocol": socket.subprotocol, "extensions": extensions})

    async def read_messages():
        try:
            async for message in socket:
                if isinstance(message, bytes):
                    emit({"event": "message", "binary": True, "length": len(message)})
                else:
                    emit({"event": "message", "binary": False, "data": message})
        except websockets.exceptions.ConnectionClosed:
            pass
        emit({"event": "close", "code": socket.close_code, "reason": socket.close_reason})

    reader = asyncio.create_task(read_messages())
    loop = asyncio.get_running_loop()
    pending_line = None
    while True:
        if pending_line is None:
            pending_line = loop.run_in_executor(None, sys.stdin.readline)
        done, _ = await asyncio.wait({reader, pending_line}, return_when=asyncio.FIRST_COMPLETED)
        if reader in done:
            break
        line, pending_line = pending_line.result(), None
        if not line:
            await asyncio.wait({reader}, timeout=10)
            break
        command, _, rest = line.rstrip("\n").partition(" ")
        if command == "send":
            await socket.send(rest)
        elif command == "close":
            code, _, reason = rest.partition(" ")
            await socket.close(int(code) if code else 1000, reason)
        elif command == "exit":
            break


asyncio.run(main())
# A thread may still wait on stdin; do not wait for it.
sys.stdout.flush()
os._exit(0)
