/**
 * A deterministic address list in the shape of a cloud provider's published ranges (ip-ranges.json):
 * per region and service, IPv4 prefixes /12-/28 inside a few provider blocks and IPv6 /36-/64 inside a /16,
 * with the overlaps and adjacency of the real files (a service's range inside the region-wide "AMAZON"
 * range, consecutive allocations, exact duplicates listed under two services).
 */
export interface RangeEntry { readonly cidr: string; readonly description: string }

const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-1', 'ap-northeast-1', 'sa-east-1', 'me-south-1'];
const SERVICES = ['AMAZON', 'EC2', 'S3', 'CLOUDFRONT', 'ROUTE53', 'DYNAMODB', 'API_GATEWAY'];

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function v4(addr: number, prefix: number): string {
  const masked = prefix === 0 ? 0 : (addr >>> (32 - prefix)) * 2 ** (32 - prefix);
  return `${Math.floor(masked / 16777216) % 256}.${Math.floor(masked / 65536) % 256}.${Math.floor(masked / 256) % 256}.${masked % 256}/${prefix}`;
}

function v6(words: number[], prefix: number): string {
  // words: eight 16-bit groups; mask below the prefix.
  const w = words.map((x, i) => {
    const keep = Math.max(0, Math.min(16, prefix - i * 16));
    return keep === 0 ? 0 : (x >> (16 - keep)) << (16 - keep);
  });
  return `${w.map(x => x.toString(16)).join(':')}/${prefix}`;
}

/** `n` entries, about 80 % IPv4 and 20 % IPv6 (the proportion of the published files). */
export function generateRanges(n: number, seed = 20240501): RangeEntry[] {
  const r = rng(seed);
  const out: RangeEntry[] = [];
  const blocks4 = [3, 13, 15, 16, 18, 34, 35, 43, 44, 46, 50, 52, 54, 99, 184].map(a => a * 16777216);
  let cursor4 = blocks4.map(b => b);
  let cursor6 = 0;
  while (out.length < n) {
    const region = REGIONS[Math.floor(r() * REGIONS.length)];
    const service = SERVICES[Math.floor(r() * SERVICES.length)];
    const description = `${service} ${region}`;
    const kind = r();
    if (kind < 0.8) {
      const b = Math.floor(r() * blocks4.length);
      // mostly /20-/28, a few broad /12-/19 region-wide ranges that cover many others
      const prefix = r() < 0.02 ? 12 + Math.floor(r() * 8) : 20 + Math.floor(r() ** 0.6 * 9);
      const size = 2 ** (32 - prefix);
      let addr: number;
      if (r() < 0.6) {
        // next allocation of the block: adjacent to the previous one (aligned up)
        addr = Math.ceil(cursor4[b] / size) * size;
        cursor4[b] = addr + size;
        if (cursor4[b] >= blocks4[b] + 16777216) cursor4[b] = blocks4[b];
      } else {
        // anywhere in the block: overlaps and duplicates
        addr = blocks4[b] + Math.floor(r() * 16777216);
      }
      out.push({ cidr: v4(addr % 4294967296, prefix), description });
      if (r() < 0.05 && out.length < n) out.push({ cidr: v4(addr % 4294967296, prefix), description: `AMAZON ${region}` });
    } else {
      const prefix = [36, 40, 44, 48, 52, 56, 56, 64, 64, 64][Math.floor(r() * 10)];
      const words = [0x2600, 0x1f00 + Math.floor(r() * 32), 0, 0, 0, 0, 0, 0];
      if (r() < 0.5) {
        cursor6 += 1;
        words[2] = (cursor6 >> 4) & 0xffff;
        words[3] = (cursor6 & 0xf) << 12;
      } else {
        words[2] = Math.floor(r() * 65536);
        words[3] = Math.floor(r() * 65536);
      }
      out.push({ cidr: v6(words, prefix), description });
    }
  }
  return out.slice(0, n);
}
