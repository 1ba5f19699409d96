/**
 * A TCP forwarder on this host's loopback: each connection goes to the first of `targets` that
 * accepts it. `wharf cluster` keeps its replicas' familiar 127.0.0.1 addresses with it (Docker
 * pushes and pulls over plain HTTP only to loopback registries) while they run in namespaces.
 */
import net from 'node:net';

/** A running forwarder. */
export interface TcpForward {
  close(): Promise<void>;
}

/** Listens on 127.0.0.1:`port`, forwarding to `targets` (`host:port`), in order of preference. */
export function forwardTcp(port: number, targets: readonly string[]): Promise<TcpForward> {
  const sockets = new Set<net.Socket>();
  const connect = (client: net.Socket, i: number): void => {
    if (i >= targets.length) return void client.destroy();
    const [host, p] = [targets[i].slice(0, targets[i].lastIndexOf(':')), Number(targets[i].slice(targets[i].lastIndexOf(':') + 1))];
    const upstream = net.connect({ host, port: p });
    let connected = false;
    sockets.add(upstream);
    upstream.once('close', () => sockets.delete(upstream));
    upstream.once('error', () => {
      // Not accepted: the next target; once connected, an error just ends the pair.
      if (!connected && !client.destroyed) connect(client, i + 1);
      else client.destroy();
    });
    upstream.once('connect', () => {
      connected = true;
      client.pipe(upstream).pipe(client);
      client.resume();
    });
  };
  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    connect(client, 0);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve({
      close: () => new Promise<void>((done) => {
        for (const s of sockets) s.destroy();
        server.close(() => done());
      }),
    }));
  });
}
