/**
 * What this server says to one question, decided from the two name ports alone: authoritative
 * answers for the names of private DNS namespaces (with CNAME chasing inside them, NXDOMAIN and
 * NODATA carrying the zone's SOA, SRV targets' addresses as additional records, multivalue
 * answers shuffled), load balancers' names, and `forward` for everything else. Pure: the
 * shuffle's randomness is passed in.
 */
import type { Answer, Question, SoaAnswer, SrvAnswer, StringAnswer } from 'dns-packet';
import type { AddressData, CnameData, DiscoveryNames, DiscoveryRecordType, LoadBalancerNames, SrvData } from './names.ts';

/** The response codes this server gives. */
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

/** An answer of this server's own: a response code and the three record sections. */
export interface OwnAnswer {
  kind: 'answer';
  rcode: number;
  authoritative: boolean;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
  /**
   * A CNAME chain that left the namespaces ends at this name: the server may resolve it
   * upstream and append what it finds.
   */
  chaseOutside?: string;
}

/** How to answer one question: with our own answer, or by forwarding it. */
export type Resolution = OwnAnswer | { kind: 'forward' };

/** What answering needs besides the question. */
export interface AnswerContext {
  names: DiscoveryNames;
  loadBalancers: LoadBalancerNames;
  /** The client is on loopback (it gets load balancers' loopback addresses). */
  clientOnLoopback: boolean;
  /** A number in [0, 1): the shuffle of multivalue answers. */
  random(): number;
}

/** TTL of load balancers' addresses (ELB's own). */
export const LOAD_BALANCER_TTL = 60;
/** The longest CNAME chain followed inside the namespaces. */
export const MAX_CNAME_CHAIN = 8;

const DISCOVERY_TYPES: readonly DiscoveryRecordType[] = ['A', 'AAAA', 'SRV', 'CNAME'];

/** A question's type as decoded: dns-packet's names, `ANY` (255) and `UNKNOWN_<n>` among them. */
const typeOf = (question: Question): string => question.type;

/** Fisher–Yates with the given randomness; returns a new array. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The SOA record of a namespace's zone (Route 53's shape; negative answers are cached for `ttl`). */
export function soaRecord(zone: string, ttl: number): SoaAnswer {
  return {
    name: zone, type: 'SOA', class: 'IN', ttl,
    data: { mname: 'ns-1536.awsdns-00.co.uk', rname: 'awsdns-hostmaster.amazon.com', serial: 1, refresh: 7200, retry: 900, expire: 1209600, minimum: ttl },
  };
}

const own = (rcode: number, answers: Answer[] = [], authorities: Answer[] = [], additionals: Answer[] = []): OwnAnswer => (
  { kind: 'answer', rcode, authoritative: true, answers, authorities, additionals }
);

/** Lower case, no trailing dot: the form the ports take. */
export function normalName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') && lower.length > 1 ? lower.slice(0, -1) : lower;
}

function records(owner: string, type: DiscoveryRecordType, ttl: number, data: Array<AddressData | SrvData | CnameData>): Answer[] {
  return data.map((d): Answer => {
    if (type === 'SRV') {
      const s = d as SrvData;
      return { name: owner, type: 'SRV', class: 'IN', ttl, data: { priority: s.priority, weight: s.weight, port: s.port, target: s.target } } satisfies SrvAnswer;
    }
    const value = type === 'CNAME' ? (d as CnameData).target : (d as AddressData).address;
    return { name: owner, type, class: 'IN', ttl, data: value } satisfies StringAnswer;
  });
}

/** Whether a name exists in its namespace: it has records of some type, or it is the apex. */
function exists(names: DiscoveryNames, name: string, zone: string): boolean {
  return name === zone || DISCOVERY_TYPES.some((t) => names.answer(name, t) !== undefined);
}

/** The additional A/AAAA records of SRV targets inside the namespaces. */
function srvAdditionals(names: DiscoveryNames, srv: Answer[]): Answer[] {
  const out: Answer[] = [];
  const seen = new Set<string>();
  for (const rr of srv) {
    if (rr.type !== 'SRV') continue;
    const target = normalName(rr.data.target);
    if (seen.has(target)) continue;
    seen.add(target);
    for (const type of ['A', 'AAAA'] as const) {
      const found = names.answer(target, type);
      if (found && found.records.length > 0) out.push(...records(target, type, found.ttl, found.records));
    }
  }
  return out;
}

/** Answers a question inside the namespaces, or `undefined` when its name is in none. */
function answerInZones(question: Question, ctx: AnswerContext): OwnAnswer | undefined {
  const { names } = ctx;
  const qtype = typeOf(question);
  let owner = question.name;
  let name = normalName(owner);
  const first = names.zoneOf(name);
  if (!first) return undefined;
  const answers: Answer[] = [];
  const visited = new Set<string>();
  for (let hop = 0; hop <= MAX_CNAME_CHAIN; hop++) {
    const zone = names.zoneOf(name);
    if (!zone) return { ...own(RCODE.NOERROR, answers), chaseOutside: name };
    const soa = () => [soaRecord(zone.zone, zone.soaTtl)];
    if (qtype !== 'CNAME' && qtype !== 'SOA') {
      const cname = names.answer(name, 'CNAME');
      const target = cname?.records[0] as CnameData | undefined;
      if (cname && target) {
        visited.add(name);
        answers.push(...records(owner, 'CNAME', cname.ttl, [target]));
        owner = normalName(target.target);
        name = owner;
        if (visited.has(name)) return own(RCODE.SERVFAIL, answers);
        continue;
      }
    }
    if (qtype === 'SOA') {
      if (name === zone.zone) return own(RCODE.NOERROR, [...answers, { ...soaRecord(zone.zone, zone.soaTtl), name: owner }]);
      return exists(names, name, zone.zone) ? own(RCODE.NOERROR, answers, soa()) : own(RCODE.NXDOMAIN, answers, soa());
    }
    if (qtype === 'ANY') {
      // RFC 8482: one RRset of what the name has, never all of them.
      for (const type of DISCOVERY_TYPES) {
        const found = names.answer(name, type);
        if (found && found.records.length > 0) return own(RCODE.NOERROR, [...answers, ...records(owner, type, found.ttl, found.records)]);
      }
      return exists(names, name, zone.zone) ? own(RCODE.NOERROR, answers, soa()) : own(RCODE.NXDOMAIN, answers, soa());
    }
    const found = (DISCOVERY_TYPES as readonly string[]).includes(qtype) ? names.answer(name, qtype as DiscoveryRecordType) : undefined;
    if (!found) return exists(names, name, zone.zone) ? own(RCODE.NOERROR, answers, soa()) : own(RCODE.NXDOMAIN, answers, soa());
    if (found.records.length === 0) return own(RCODE.NOERROR, answers, soa());
    const mine = records(owner, qtype as DiscoveryRecordType, found.ttl, shuffled(found.records, ctx.random));
    return own(RCODE.NOERROR, [...answers, ...mine], [], qtype === 'SRV' ? srvAdditionals(names, mine) : []);
  }
  return own(RCODE.SERVFAIL, answers);
}

/** Answers a load balancer's name (`dualstack.` before it too, as ELB's names allow). */
function answerLoadBalancer(question: Question, ctx: AnswerContext): OwnAnswer | undefined {
  const name = normalName(question.name);
  const bare = name.startsWith('dualstack.') ? name.slice('dualstack.'.length) : name;
  const addresses = ctx.loadBalancers.loadBalancerAddresses(bare, { loopback: ctx.clientOnLoopback });
  if (!addresses) return undefined;
  const zone = bare.slice(bare.indexOf('.') + 1);
  const v4 = addresses.filter((a) => !a.includes(':'));
  const v6 = addresses.filter((a) => a.includes(':'));
  const qtype = typeOf(question);
  const pick = qtype === 'A' || qtype === 'ANY' ? v4 : qtype === 'AAAA' ? v6 : [];
  if (pick.length === 0) return own(RCODE.NOERROR, [], [soaRecord(zone, LOAD_BALANCER_TTL)]);
  const type = pick === v6 ? 'AAAA' : 'A';
  return own(RCODE.NOERROR, shuffled(pick, ctx.random).map((address): StringAnswer => ({ name: question.name, type, class: 'IN', ttl: LOAD_BALANCER_TTL, data: address })));
}

/**
 * How to answer `question`: inside a namespace authoritatively, a load balancer's name with its
 * addresses, `ANY` elsewhere refused (it only serves amplification), the rest forwarded.
 */
export function resolveQuestion(question: Question, ctx: AnswerContext): Resolution {
  if ((question.class ?? 'IN') !== 'IN') return { ...own(RCODE.REFUSED), authoritative: false };
  const inZones = answerInZones(question, ctx);
  if (inZones) return inZones;
  const lb = answerLoadBalancer(question, ctx);
  if (lb) return lb;
  if (typeOf(question) === 'ANY') return { ...own(RCODE.REFUSED), authoritative: false };
  return { kind: 'forward' };
}
