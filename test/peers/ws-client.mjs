// A scriptable WebSocket client on Node's `ws` package, driven by the functional tests.
// usage: node ws-client.mjs URL [--ca FILE] [--origin ORIGIN] [--protocol NAME]... [--servername NAME]
// Commands, one per line on stdin: send TEXT | sendbin BYTES [COUNT] | ping | pause | resume | close [CODE [REASON]] | exit
// (sendbin with a count sends that many messages, each with other bytes, at once: they leave together; pause stops
// reading the socket, so that the server's sends back up; resume reads again).
// Events, one JSON object per line on stdout: open, message, pong, close, error, unexpected-response.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

const args = process.argv.slice(2);
const url = args.shift();
const options = { maxPayload: 256 * 1024 * 1024 };
const protocols = [];
while (args.length > 0) {
  const flag = args.shift();
  const value = args.shift();
  if (flag === '--ca') options.ca = readFileSync(value);
  else if (flag === '--origin') options.origin = value;
  else if (flag === '--protocol') protocols.push(value);
  else if (flag === '--servername') options.servername = value;
  else throw new Error(`unknown flag ${flag}`);
}

const emit = (event) => process.stdout.write(JSON.stringify(event) + '\n');
const socket = new WebSocket(url, protocols, options);

socket.on('open', () => emit({ event: 'open', protocol: socket.protocol, extensions: socket.extensions }));
socket.on('message', (data, isBinary) => {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.concat(data);
  emit(isBinary
    ? { event: 'message', binary: true, length: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }
    : { event: 'message', binary: false, data: bytes.toString('utf8') });
});
socket.on('pong', () => emit({ event: 'pong' }));
socket.on('close', (code, reason) => { emit({ event: 'close', code, reason: reason.toString() }); process.exit(0); });
socket.on('error', (error) => emit({ event: 'error', message: error.message, code: error.code }));
socket.on('unexpected-response', (request, response) => {
  let body = '';
  response.on('data', (chunk) => { body += chunk; });
  response.on('end', () => {
    emit({ event: 'unexpected-response', status: response.statusCode, headers: response.headers, body });
    process.exit(0);
  });
});

// Commands that arrive before the handshake completes wait for it.
const queued = [];
socket.on('open', () => queued.splice(0).forEach(run));
createInterface({ input: process.stdin }).on('line', (line) => {
  if (socket.readyState === WebSocket.CONNECTING) queued.push(line);
  else run(line);
});

function run(line) {
  const [command, ...rest] = line.split(' ');
  if (command === 'send') socket.send(rest.join(' '));
  else if (command === 'sendbin') {
    for (let k = 0; k < Number(rest[1] ?? 1); k++) {
      const bytes = Buffer.alloc(Number(rest[0]));
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i + k) % 251;
      emit({ event: 'sent', length: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
      socket.send(bytes, { binary: true });
    }
  }
  else if (command === 'ping') socket.ping();
  else if (command === 'pause') socket.pause();
  else if (command === 'resume') socket.resume();
  else if (command === 'close') socket.close(rest[0] ? Number(rest[0]) : 1000, rest.slice(1).join(' '));
  else if (command === 'exit') process.exit(0);
}
