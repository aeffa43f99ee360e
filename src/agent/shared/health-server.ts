// The agents' own runtime dependencies: installed in the images, never in the construct library.
import * as http from 'node:http';
import { Registry } from 'prom-client';

export interface HealthStatus {
  /** Process is alive and its loop turns. */
  live(): boolean;
  /** undefined when ready; otherwise the reason, e.g. "draining" (probers read it). */
  notReadyReason(): string | undefined;
}

/** /healthz, /readyz and Prometheus /metrics on one port. */
export function startHealthServer(port: number, host: string, status: HealthStatus, registry: Registry): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const send = (code: number, body: string, type = 'text/plain') => {
      res.writeHead(code, { 'content-type': type, 'connection': 'close' });
      res.end(body);
    };
    if (req.url === '/healthz') return send(status.live() ? 200 : 503, status.live() ? 'ok\n' : 'unhealthy\n');
    if (req.url === '/readyz') {
      const why = status.notReadyReason();
      return send(why ? 503 : 200, why ? `${why}\n` : 'ready\n');
    }
    if (req.url === '/metrics') {
      registry.metrics().then((m) => send(200, m, registry.contentType), (e: Error) => send(500, `${e.message}\n`));
      return;
    }
    send(404, 'not found\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
