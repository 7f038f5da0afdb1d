/**
 * Finds C2PA content credentials in an ISO BMFF file (MP4, MOV, HEIF): the C2PA manifest store lives in a
 * top-level `uuid` box with the C2PA user type (C2PA specification 2.1, §A.5). Reads box headers only.
 *
 * Why not a full C2PA reader: the pure-TypeScript @trustnxt/c2pa-ts 0.9.4 reads JPEG, PNG, HEIC and MP3 but
 * refuses MP4 brands ("Not a readable BMFF file"), and the official readers (@contentauth/c2pa-node) download a
 * native binary at install. So Unmask reports presence and size, and says it did not validate the signature.
 */
import { open } from 'node:fs/promises';

/** d8fec3d6-1b0e-483c-9297-5828877ec481 */
export const C2PA_BOX_USER_TYPE = Buffer.from('d8fec3d61b0e483c92975828877ec481', 'hex');

export interface ContentCredentials {
  present: boolean;
  summary?: string;
}

export async function detectContentCredentials(path: string): Promise<ContentCredentials> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const header = Buffer.alloc(32);
    let offset = 0;
    let first = true;
    while (offset + 8 <= size) {
      const { bytesRead } = await file.read(header, 0, 32, offset);
      if (bytesRead < 8) break;
      let boxSize = header.readUInt32BE(0);
      const type = header.toString('latin1', 4, 8);
      let headerSize = 8;
      if (first && type !== 'ftyp') return { present: false };
      first = false;
      if (boxSize === 1) {
        if (bytesRead < 16) break;
        boxSize = Number(header.readBigUInt64BE(8));
        headerSize = 16;
      } else if (boxSize === 0) {
        boxSize = size - offset;
      }
      if (boxSize < headerSize) break;
      if (type === 'uuid' && bytesRead >= headerSize + 16) {
        if (header.subarray(headerSize, headerSize + 16).equals(C2PA_BOX_USER_TYPE)) {
          return {
            present: true,
            summary: `A C2PA manifest store (${boxSize.toLocaleString('en-US')} bytes) is embedded at byte ${offset.toLocaleString('en-US')}. Unmask does not validate its signature; check it with a C2PA validator such as contentcredentials.org/verify or c2patool.`,
          };
        }
      }
      offset += boxSize;
    }
    return { present: false };
  } finally {
    await file.close();
  }
}
