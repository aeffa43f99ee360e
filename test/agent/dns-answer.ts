/* eslint-disable no-bitwise */
/** A DNS answer as a server writes it: question, then records; names after the first are compressed pointers. */
type Rec = [string, 'A' | 'AAAA' | 'CNAME', number, string];
export function answer(id: number, question: string, records: Rec[], flags = 0x8180): Buffer {
  const name = (n: string) => Buffer.concat([...n.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
  const head = Buffer.alloc(12);
  head.writeUInt16BE(id, 0); head.writeUInt16BE(flags, 2); head.writeUInt16BE(1, 4); head.writeUInt16BE(records.length, 6);
  const parts = [head, name(question), Buffer.from([0, 1, 0, 1])];
  for (const [owner, type, ttl, data] of records) {
    const rdata = type === 'A' ? Buffer.from(data.split('.').map(Number))
      : type === 'AAAA' ? Buffer.from(data.split(':').flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 255]))
        : name(data);
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE({ A: 1, AAAA: 28, CNAME: 5 }[type], 0);
    fixed.writeUInt16BE(1, 2); fixed.writeUInt32BE(ttl, 4); fixed.writeUInt16BE(rdata.length, 8);
    // The question's name is at offset 12: an owner equal to it is written as a pointer (compression).
    parts.push(owner === question ? Buffer.from([0xc0, 12]) : name(owner), fixed, rdata);
  }
  return Buffer.concat(parts);
}
