/**
 * Responses built from queries: the header (id, opcode, RD and CD echoed, RA set since names
 * outside the namespaces are resolved for the client, AA for our own answers), the question
 * echoed as asked, and an EDNS0 OPT record when the query had one.
 */
import { AUTHORITATIVE_ANSWER, CHECKING_DISABLED, RECURSION_AVAILABLE, RECURSION_DESIRED, type Answer, type DecodedPacket, type OptAnswer, type Packet } from 'dns-packet';
import type { OwnAnswer } from './answer.ts';

/** The UDP payload size this server advertises in its OPT record (the DNS flag day's 1232). */
export const SERVER_UDP_PAYLOAD = 1232;

const OPCODE_MASK = 0xf << 11;

/** The query's OPT record, if it has one. */
export function optOf(query: Packet): OptAnswer | undefined {
  return query.additionals?.find((a): a is OptAnswer => a.type === 'OPT');
}

/** Our OPT record, given when the query had one (EDNS version 0, no options). */
function serverOpt(): OptAnswer {
  return { name: '.', type: 'OPT', udpPayloadSize: SERVER_UDP_PAYLOAD, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] };
}

/** A response to `query` with `rcode` and the given sections. */
export function replyTo(query: DecodedPacket, rcode: number, sections: { authoritative?: boolean; answers?: Answer[]; authorities?: Answer[]; additionals?: Answer[] } = {}): Packet {
  const flags = ((query.flags ?? 0) & (OPCODE_MASK | RECURSION_DESIRED | CHECKING_DISABLED))
    | RECURSION_AVAILABLE | (sections.authoritative ? AUTHORITATIVE_ANSWER : 0) | (rcode & 0xf);
  const additionals = [...(sections.additionals ?? [])];
  if (optOf(query)) additionals.push(serverOpt());
  return {
    type: 'response', id: query.id, flags,
    questions: query.questions ?? [], answers: sections.answers ?? [], authorities: sections.authorities ?? [], additionals,
  };
}

/** The response carrying one of our own answers. */
export function replyWith(query: DecodedPacket, answer: OwnAnswer): Packet {
  return replyTo(query, answer.rcode, answer);
}
