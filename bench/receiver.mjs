// The delivery benchmark's webhook receiver, run in its own process: answers 200 "ok" to every
// POST on 127.0.0.1, with keep-alive. It prints {"port": N} once listening, and exits when its
// stdin closes (the benchmark ended or died) or after RECEIVER_MAX_LIFETIME_MS, whichever is first.
import { createServer } from 'node:http';

const maxLifetimeMs = Number(process.env.RECEIVER_MAX_LIFETIME_MS ?? 900_000);
let received = 0;

const server = createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(405, { 'content-length': '0' }).end();
    return;
  }
  req.on('data', () => undefined);
  req.on('end', () => {
    received++;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }).end('ok');
  });
});
// Longer than undici's keep-alive, so the client, not the server, decides when a socket closes.
server.keepAliveTimeout = 60_000;

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' ? address?.port : 0 })}\n`);
});

const quit = () => {
  process.stderr.write(`receiver: ${received} POSTs answered\n`);
  process.exit(0);
};
process.stdin.on('end', quit);
process.stdin.resume();
setTimeout(quit, maxLifetimeMs).unref();
