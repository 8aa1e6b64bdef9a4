// A WebSocket echo exchange run by a real browser: Debian's headless Chromium, driven through playwright-core.
// usage: node browser-echo.mjs PAGE_URL --ca FILE [--http1] [--text TEXT]... [--bytes N] [--timeout MS]
// Opens PAGE_URL (a page of the server), waits for the page's own echo, then in the page opens
// wss://<page host>/echo, sends each text and one binary message of N bytes, checks each echo (the binary one byte
// for byte), and closes with 1000. Prints one JSON line: {"event":"result","ok":...}; exits 0 only when ok.
//
// Trust: the server's CA goes into an NSS database in a throwaway HOME (~/.pki/nssdb, where Chromium on Linux
// reads user-trusted roots), as `certutil` would install it for a person. So Chromium verifies the whole chain
// itself (name constraints, key usage, SANs): nothing is ignored, not even one key, as
// --ignore-certificate-errors or --ignore-certificate-errors-spki-list would.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const args = process.argv.slice(2);
const pageUrl = args.shift();
const texts = [];
let ca = null;
let http1 = false;
let bytes = 100_000;
let timeout = 30_000;
while (args.length > 0) {
  const flag = args.shift();
  if (flag === '--http1') http1 = true;
  else if (flag === '--ca') ca = args.shift();
  else if (flag === '--text') texts.push(args.shift());
  else if (flag === '--bytes') bytes = Number(args.shift());
  else if (flag === '--timeout') timeout = Number(args.shift());
  else throw new Error(`unknown flag ${flag}`);
}
if (!pageUrl || !ca) throw new Error('usage: node browser-echo.mjs PAGE_URL --ca FILE [--http1] [--text TEXT]... [--bytes N]');
if (texts.length === 0) texts.push('hello from chromium', 'zwei: ✓ ünïcödé');

const emit = (event) => process.stdout.write(JSON.stringify(event) + '\n');
const scratch = mkdtempSync(join(tmpdir(), 'browser-echo-'));
const home = join(scratch, 'home');
const nssdb = join(home, '.pki', 'nssdb');

let context;
let finished = false;
const result = { event: 'result', ok: false, http1Only: http1 };
let stage = 'start';
const watchdog = setTimeout(() => finish(new Error(`no result within ${timeout} ms (stuck at: ${stage})`)), timeout);
try {
  stage = 'trusting the CA';
  mkdirSync(nssdb, { recursive: true });
  // certutil is Debian's libnss3-tools; 'C,,' trusts the CA to issue server certificates only.
  execFileSync('certutil', ['-N', '-d', `sql:${nssdb}`, '--empty-password'], { stdio: 'pipe' });
  execFileSync('certutil', ['-A', '-d', `sql:${nssdb}`, '-n', 'server-ca', '-t', 'C,,', '-i', ca], { stdio: 'pipe' });
  stage = 'launching chromium';
  // A persistent context is how Playwright takes our own fresh --user-data-dir; it is deleted at the end.
  context = await chromium.launchPersistentContext(join(scratch, 'profile'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    env: { ...process.env, HOME: home },
    timeout,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      // Without these Chromium keeps trying to reach Google's services, and on a closed network that is slow.
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      // Even so it looks up accounts.google.com and update.googleapis.com: no name resolves, so only the server's
      // address (an IP literal) is ever reached.
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
      ...(http1 ? ['--disable-http2'] : []),
    ],
  });
  const page = context.pages()[0] ?? await context.newPage();

  // What the browser itself saw of each WebSocket handshake: 101 over HTTP/1.1, 200 over HTTP/2 (RFC 8441).
  const handshakes = [];
  const cdp = await context.newCDPSession(page);
  cdp.on('Network.webSocketHandshakeResponseReceived', (e) => handshakes.push({ status: e.response.status }));
  await cdp.send('Network.enable');

  stage = `loading ${pageUrl}`;
  await page.goto(pageUrl, { timeout });
  stage = "waiting for the page's own echo";
  // The page opens its own echo socket; let it finish so the server's counters hold exactly two sockets.
  await page.waitForFunction(() => /^(received|failed)/.test(document.getElementById('status')?.textContent ?? ''), null, { timeout });
  result.pageStatus = await page.textContent('#status');
  stage = 'the echo exchange';
  Object.assign(result, await page.evaluate(exchange, { texts, bytes }));
  result.handshakes = handshakes;
  result.ok = result.closeCode === 1000 && result.binary.matches && texts.every((text, i) => result.received[i] === text);
  finish();
} catch (error) {
  finish(error);
}

async function finish(error) {
  if (finished) return;
  finished = true;
  clearTimeout(watchdog);
  // Playwright's messages carry terminal colours; the tests read plain text.
  if (error) result.error = String(error?.message ?? error).replace(/\u001b\[\d+m/g, '');
  emit(result);
  await context?.close().catch(() => {});
  rmSync(scratch, { recursive: true, force: true });
  process.exit(result.ok ? 0 : 1);
}

// Runs in the page: the echo exchange, with the browser's own WebSocket.
async function exchange({ texts, bytes }) {
  const url = `wss://${location.host}/echo`;
  const socket = new WebSocket(url);
  socket.binaryType = 'arraybuffer';
  const inbox = [];
  let waiting = null;
  let ended = false;
  const deliver = (item) => { if (waiting) { waiting(item); waiting = null; } else inbox.push(item); };
  // Once the server has closed, every further wait ends at once: a test fails on what came back, not on a timeout.
  const next = () => inbox.length > 0 ? Promise.resolve(inbox.shift())
    : ended ? Promise.resolve({ closed: true }) : new Promise((resolve) => { waiting = resolve; });
  socket.onmessage = (e) => deliver({ data: e.data });
  const closed = new Promise((resolve) => { socket.onclose = (e) => { ended = true; deliver({ closed: true }); resolve(e); }; });
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = () => reject(new Error(`WebSocket ${url} failed to open`));
  });

  const received = [];
  for (const text of texts) {
    socket.send(text);
    const reply = await next();
    received.push(reply.closed ? null : reply.data);
  }

  const sent = new Uint8Array(bytes);
  for (let i = 0; i < sent.length; i++) sent[i] = i % 251;
  socket.send(sent.buffer);
  const reply = await next();
  const echoed = reply.data instanceof ArrayBuffer ? new Uint8Array(reply.data) : new Uint8Array(0);
  let firstDifference = -1;
  for (let i = 0; i < Math.max(sent.length, echoed.length); i++) {
    if (sent[i] !== echoed[i]) { firstDifference = i; break; }
  }

  socket.close(1000, 'done');
  const close = await closed;
  const navigation = performance.getEntriesByType('navigation')[0];
  return {
    url,
    sent: texts,
    received,
    binary: { sent: sent.length, received: echoed.length, isArrayBuffer: reply.data instanceof ArrayBuffer, matches: firstDifference < 0, firstDifference },
    closeCode: close.code,
    closeReason: close.reason,
    wasClean: close.wasClean,
    pageProtocol: navigation?.nextHopProtocol ?? null,
  };
}
