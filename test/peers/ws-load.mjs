// Many WebSocket connections from Node's ws package, for the memory and churn tests.
// usage: node ws-load.mjs URL CA_FILE MODE COUNT [CONCURRENCY]
//   idle:  open COUNT connections (CONCURRENCY handshakes at a time), print {"event":"open","count":N}, then hold them
//          until stdin closes or a line "close" arrives, close them all (1000) and print {"event":"closed"}.
//   churn: open, echo one message on, and close COUNT connections, CONCURRENCY at a time; print {"event":"done",...}.
//   echo:  on one connection, echo COUNT 32-byte messages with CONCURRENCY of them in flight; print {"event":"done",...}.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

const [url, caFile, mode, countText, concurrencyText] = process.argv.slice(2);
const ca = readFileSync(caFile);
const count = Number(countText);
const concurrency = Number(concurrencyText ?? 100);
const emit = (event) => process.stdout.write(JSON.stringify(event) + '\n');

function open() {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { ca, perMessageDeflate: false });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

async function pool(total, work) {
  let next = 0;
  let failures = 0;
  const worker = async () => {
    while (next < total) {
      next++;
      try { await work(); } catch { failures++; }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return failures;
}

const started = Date.now();
if (mode === 'idle') {
  const sockets = [];
  const failures = await pool(count, async () => { sockets.push(await open()); });
  emit({ event: 'open', count: sockets.length, failures, seconds: (Date.now() - started) / 1000 });
  const finish = async () => {
    await Promise.all(sockets.map((socket) => new Promise((resolve) => { socket.once('close', resolve); socket.close(1000); })));
    emit({ event: 'closed' });
    process.exit(0);
  };
  createInterface({ input: process.stdin }).on('line', (line) => { if (line === 'close') finish(); }).on('close', finish);
} else if (mode === 'churn') {
  const failures = await pool(count, async () => {
    const socket = await open();
    await new Promise((resolve, reject) => {
      socket.once('message', resolve);
      socket.once('error', reject);
      socket.send('churn');
    });
    await new Promise((resolve) => { socket.once('close', resolve); socket.close(1000); });
  });
  emit({ event: 'done', count, failures, seconds: (Date.now() - started) / 1000 });
  process.exit(0);
} else if (mode === 'echo') {
  const socket = await open();
  const message = Buffer.alloc(32, 120);
  let sent = 0;
  let received = 0;
  await new Promise((resolve) => {
    socket.on('message', () => {
      received++;
      if (sent < count) { socket.send(message); sent++; }
      if (received === count) resolve();
    });
    for (; sent < Math.min(concurrency, count); sent++) socket.send(message);
  });
  emit({ event: 'done', count, failures: 0, seconds: (Date.now() - started) / 1000 });
  socket.close(1000);
  process.exit(0);
} else {
  throw new Error(`unknown mode ${mode}`);
}
