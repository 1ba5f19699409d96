/**
 * UDP responses within the client's payload size: 512 bytes without EDNS0, the advertised size
 * with it (bounded), additionals dropped before anything else, then TC with the question alone.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode, encodingLength, type Answer, type DecodedPacket, type Packet } from 'dns-packet';
import { replyTo } from './reply.ts';
import { CLASSIC_UDP_PAYLOAD, MAX_UDP_PAYLOAD, encodeForUdp, udpPayloadLimit } from './truncate.ts';

const question = { name: 'Many.Corp.Local', type: 'A' as const, class: 'IN' as const };
const opt = (size: number): Answer => ({ name: '.', type: 'OPT', udpPayloadSize: size, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] });
/** A query through the codec, as the server sees one. */
const query = (additionals: Answer[] = []): DecodedPacket => decode(encode({ type: 'query', id: 77, flags: 1 << 8, questions: [question], additionals }));
const addresses = (n: number): Answer[] => Array.from({ length: n }, (_, i) => ({ name: question.name, type: 'A', class: 'IN', ttl: 5, data: `10.0.${i >> 8}.${i & 255}` }));

describe('UDP truncation', () => {
  it('the limit is 512 without EDNS0, the advertised size with it, within 512..4096', () => {
    assert.equal(udpPayloadLimit(query()), CLASSIC_UDP_PAYLOAD);
    assert.equal(udpPayloadLimit(query([opt(1232)])), 1232);
    assert.equal(udpPayloadLimit(query([opt(100)])), CLASSIC_UDP_PAYLOAD);
    assert.equal(udpPayloadLimit(query([opt(65000)])), MAX_UDP_PAYLOAD);
  });

  it('a response that fits goes whole', () => {
    const q = query();
    const response = replyTo(q, 0, { answers: addresses(3) });
    const out = decode(encodeForUdp(response, udpPayloadLimit(q)));
    assert.equal(out.flag_tc, false);
    assert.equal(out.answers?.length, 3);
    assert.equal(out.id, 77);
    assert.equal(out.questions?.[0].name, 'Many.Corp.Local', 'the question as asked');
  });

  it('too big for 512: TC set, the question alone; with EDNS0 1232 it fits and carries our OPT', () => {
    const plain = query();
    const big = replyTo(plain, 0, { answers: addresses(30) });
    assert.ok(encodingLength(big) > 512);
    const wire = encodeForUdp(big, udpPayloadLimit(plain));
    assert.ok(wire.length <= 512);
    const out = decode(wire);
    assert.equal(out.flag_tc, true);
    assert.deepEqual(out.answers, []);
    assert.deepEqual(out.questions, [question]);
    assert.deepEqual(out.additionals, []);

    const edns = query([opt(1232)]);
    const fits = decode(encodeForUdp(replyTo(edns, 0, { answers: addresses(30) }), udpPayloadLimit(edns)));
    assert.equal(fits.flag_tc, false);
    assert.equal(fits.answers?.length, 30);
    assert.deepEqual(fits.additionals?.map((a) => a.type), ['OPT']);
  });

  it('additional records go first, without TC', () => {
    const q = query();
    const response: Packet = replyTo(q, 0, { answers: addresses(5), additionals: addresses(20).map((a) => ({ ...a, name: 'target.corp.local' })) });
    const out = decode(encodeForUdp(response, udpPayloadLimit(q)));
    assert.equal(out.flag_tc, false);
    assert.equal(out.answers?.length, 5);
    assert.deepEqual(out.additionals, []);
  });
});
