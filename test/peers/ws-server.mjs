// A WebSocket echo server on Node's `ws` package, for testing our clients against a server we did not write, and for
// wss check's lab of faults.
// usage: node ws-server.mjs [--tls CERT KEY] [--protocol NAME] [--require-token TOKEN] [--corrupt] [--drop-at-bytes N]
//                           [--bad-accept] [--bad-extension] [--delay-echo MS] [--delay-upgrade MS]
// Prints {"event":"listening","port":N} once it listens on 127.0.0.1 (a free port). Echoes every message with its
// type; the text "close CODE REASON" makes it close with that code; "headers" answers with the request's headers as
// JSON. Faults: --require-token answers 401 without "Authorization: Bearer TOKEN"; --corrupt flips a byte of every
// echoed binary message over 1,000 bytes; --drop-at-bytes cuts the TCP connection (no close frame) when a message of
// at least N bytes arrives; --bad-accept and --bad-extension answer the upgrade by hand with a wrong
// Sec-WebSocket-Accept, or with permessage-deflate parameters that were not offered; --delay-echo answers each
// message after MS milliseconds (a busy application; pings are still answered at once); --delay-upgrade answers
// the upgrade after MS milliseconds (slow authentication before accepting).
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createServer as createHttps } from 'node:https';
import { createServer as createHttp } from 'node:http';
import { WebSocketServer } from 'ws';

const args = process.argv.slice(2);
let tls = null;
let protocol = null;
let token = null;
let corrupt = false;
let dropAt = 0;
let badAccept = false;
let badExtension = false;
let delayEcho = 0;
let delayUpgrade = 0;
while (args.length > 0) {
  const flag = args.shift();
  if (flag === '--tls') tls = { cert: readFileSync(args.shift()), key: readFileSync(args.shift()) };
  else if (flag === '--protocol') protocol = args.shift();
  else if (flag === '--require-token') token = args.shift();
  else if (flag === '--corrupt') corrupt = true;
  else if (flag === '--drop-at-bytes') dropAt = Number(args.shift());
  else if (flag === '--bad-accept') badAccept = true;
  else if (flag === '--bad-extension') badExtension = true;
  else if (flag === '--delay-echo') delayEcho = Number(args.shift());
  else if (flag === '--delay-upgrade') delayUpgrade = Number(args.shift());
  else throw new Error(`unknown flag ${flag}`);
}

const http = tls ? createHttps(tls) : createHttp();
const server = new WebSocketServer({
  noServer: true,
  perMessageDeflate: true,
  handleProtocols: (offered) => (protocol && offered.has(protocol) ? protocol : false),
});

http.on('upgrade', (request, socket, head) => {
  if (token && request.headers.authorization !== `Bearer ${token}`) {
    socket.end('HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\nContent-Length: 13\r\nConnection: close\r\n\r\nmissing token');
    return;
  }
  if (badAccept || badExtension) {
    const key = request.headers['sec-websocket-key'];
    const accept = createHash('sha1').update(badAccept ? key : key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
    const extension = badExtension ? 'Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=4; mystery=1\r\n' : '';
    socket.end(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n${extension}\r\n`);
    return;
  }
  setTimeout(() => server.handleUpgrade(request, socket, head, (ws) => server.emit('connection', ws, request)), delayUpgrade);
});
http.on('request', (request, response) => response.writeHead(426, { 'Content-Type': 'text/plain' }).end('this is a WebSocket endpoint: send an upgrade'));

server.on('connection', (socket, request) => {
  socket.on('message', (data, isBinary) => {
    if (dropAt > 0 && data.length >= dropAt) {
      socket.terminate();
      return;
    }
    const text = isBinary ? null : data.toString();
    if (text?.startsWith('close ')) {
      const [, code, ...reason] = text.split(' ');
      socket.close(Number(code), reason.join(' '));
    } else if (text === 'headers') {
      socket.send(JSON.stringify(request.headers));
    } else {
      if (corrupt && isBinary && data.length > 1000) {
        data[500] ^= 0xff;
      }
      if (delayEcho > 0) setTimeout(() => socket.send(data, { binary: isBinary }), delayEcho);
      else socket.send(data, { binary: isBinary });
    }
  });
});
http.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ event: 'listening', port: http.address().port }) + '\n'));
process.on('SIGTERM', () => process.exit(0));
