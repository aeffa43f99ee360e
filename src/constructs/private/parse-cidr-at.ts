import { Cidr } from '../../model/cidr';
import { locate } from '../../model/errors';

/** Parses a CIDR and locates any error at the construct path. @internal */
export function parseCidrAt(field: string, text: string, path: string): Cidr {
  return locate(path, field, () => Cidr.parse(text));
}
