/** Local loopback targets for the engine's tests (real node:http servers on port 0). */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Target {
  url: string;
  received: () => number;
  close(): Promise<void>;
}

export async function startTarget(handler: (req: IncomingMessage, res: ServerResponse, n: number) => void): Promise<Target> {
  let n = 0;
  const server: Server = createServer((req, res) => {
    n++;
    req.resume();
    handler(req, res, n);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    received: () => n,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
