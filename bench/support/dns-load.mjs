// A DNS query loop over UDP, plain JavaScript so that it runs both in the benchmark and, as the
// text of `node -e`, inside a task's container (whose image has Node.js but not this repository).

import dgram from 'node:dgram';

/** An A query for `name` with `id`, recursion desired, in DNS wire format. */
export function aQuery(name, id) {
  const labels = name.split('.').filter(Boolean);
  const out = Buffer.alloc(12 + labels.reduce((n, l) => n + l.length + 1, 0) + 5);
  out.writeUInt16BE(id, 0);
  out.writeUInt16BE(0x0100, 2);
  out.writeUInt16BE(1, 4);
  let at = 12;
  for (const l of labels) {
    out[at++] = l.length;
    at += out.write(l, at, 'ascii');
  }
  out[at++] = 0;
  out.writeUInt16BE(1, at);
  out.writeUInt16BE(1, at + 2);
  return out;
}

const pct = (xs, p) => {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
};

/**
 * Keeps `concurrency` A queries for `names` outstanding against `address`:`port` for `seconds`
 * (`max` queries at most); resolves to queries/s, p50 and p99 latency (ms), and how many were
 * answered, lost (no answer in a second) and failed (an answer without records or not NOERROR).
 */
export function load(address, port, names, concurrency, seconds, max = Infinity) {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const pending = new Map();
    const latencies = [];
    let sent = 0;
    let lost = 0;
    let failed = 0;
    let nextId = 0;
    const start = process.hrtime.bigint();
    const deadline = start + BigInt(Math.round(seconds * 1e9));
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      for (const p of pending.values()) clearTimeout(p.timer);
      socket.close();
      const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
      resolve({ qps: latencies.length / elapsed, p50: pct(latencies, 0.5), p99: pct(latencies, 0.99), answered: latencies.length, lost, failed });
    };
    const send = () => {
      if (process.hrtime.bigint() >= deadline || sent >= max) {
        if (pending.size === 0) finish();
        return;
      }
      let id = nextId;
      do id = (id + 1) & 0xffff; while (pending.has(id));
      nextId = id;
      const message = aQuery(names[sent % names.length], id);
      sent++;
      const timer = setTimeout(() => {
        pending.delete(id);
        lost++;
        send();
      }, 1000);
      pending.set(id, { sent: process.hrtime.bigint(), timer });
      socket.send(message, port, address);
    };
    socket.on('message', (reply) => {
      const id = reply.readUInt16BE(0);
      const p = pending.get(id);
      if (!p) return;
      clearTimeout(p.timer);
      pending.delete(id);
      latencies.push(Number(process.hrtime.bigint() - p.sent) / 1e6);
      if ((reply.readUInt16BE(2) & 0xf) !== 0 || reply.readUInt16BE(6) === 0) failed++;
      send();
    });
    socket.bind(0, () => {
      for (let i = 0; i < concurrency; i++) send();
    });
  });
}
