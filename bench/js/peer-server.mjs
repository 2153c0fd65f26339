// Serves the oidc-client-ts peer page on 127.0.0.1:8081 (static, SPA-style).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';

const files = {
  '/peer.js': ['peer/dist/peer.js', 'text/javascript'],
};
const root = new URL('.', import.meta.url);

createServer(async (request, response) => {
  const path = new URL(request.url, 'http://127.0.0.1').pathname;
  const [file, type] = files[path] ?? ['peer/index.html', 'text/html'];
  try {
    const body = await readFile(new URL(file, root));
    response.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache', 'referrer-policy': 'no-referrer' });
    response.end(body);
  } catch {
    response.writeHead(404).end();
  }
}).listen(8081, '127.0.0.1', () => console.log('peer page on http://127.0.0.1:8081'));
