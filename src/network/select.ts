/**
 * What every Describe of the network shares: the items a request names by id, each id checked
 * for its kind's form and for existence as EC2 checks them.
 */
import { Ec2Errors, type IdKind } from './errors.ts';
import { isEc2Id } from './records.ts';

/**
 * The items whose ids are among `ids` (all items when `ids` is empty or absent), in the items'
 * order. An id of the wrong form is its kind's Malformed error; one that names nothing is `notFound`.
 */
export function selectByIds<T>(
  items: readonly T[], ids: readonly string[] | undefined, idOf: (item: T) => string, kind: IdKind, notFound: (id: string) => Error,
): T[] {
  if (!ids?.length) return [...items];
  for (const id of ids) if (!isEc2Id(kind, id)) throw Ec2Errors.malformedId(kind, id);
  const wanted = new Set(ids);
  const found = items.filter((item) => wanted.has(idOf(item)));
  const have = new Set(found.map(idOf));
  const missing = ids.find((id) => !have.has(id));
  if (missing !== undefined) throw notFound(missing);
  return found;
}
