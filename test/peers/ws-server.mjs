// A WebSocket echo server on Node's `ws` package, for testing our clients against a server we did not write.
// usage: node ws-server.mjs [--tls CERT KEY] [--protocol NAME]
// Prints {"event":"listening","port":N} once it listens on 127.0.0.1 (a free port). Echoes every message with its
// type; the text "close CODE REASON" makes it close with that code; "headers" answers with the request's headers
// as JSON.
import { readFileSync } from 'node:fs';
import { createServer as createHttps } from 'node:https';
import { createServer as createHttp } from 'node:http';
import { WebSocketServer } from 'ws';

const args = process.argv.slice(2);
let tls = null;
let protocol = null;
while (args.length > 0) {
  const flag = args.shift();
  if (flag === '--tls') tls = { cert: readFileSync(args.shift()), key: readFileSync(args.shift()) };
  else if (flag === '--protocol') protocol = args.shift();
  else throw new Error(`unknown flag ${flag}`);
}

const http = tls ? createHttps(tls) : createHttp();
const server = new WebSocketServer({
  server: http,
  perMessageDeflate: true,
  handleProtocols: (offered) => (protocol && offered.has(protocol) ? protocol : false),
});
server.on('connection', (socket, request) => {
  socket.on('message', (data, isBinary) => {
    const text = isBinary ? null : data.toString();
    if (text?.startsWith('close ')) {
      const [, code, ...reason] = text.split(' ');
      socket.close(Number(code), reason.join(' '));
    } else if (text === 'headers') {
      socket.send(JSON.stringify(request.headers));
    } else {
      socket.send(data, { binary: isBinary });
    }
  });
});
http.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ event: 'listening', port: http.address().port }) + '\n'));
process.on('SIGTERM', () => process.exit(0));
