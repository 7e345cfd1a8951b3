/** FNV-1a's 32-bit offset basis and prime, for hot loops that hash char codes inline. */
export const FNV_OFFSET = 0x811c9dc5
export const FNV_PRIME = 0x01000193

/** 32-bit FNV-1a over UTF-16 code units: a stable, fast, non-cryptographic string hash. */
export function fnv1a32(text: string, seed = 0): number {
  let h = (FNV_OFFSET ^ seed) >>> 0
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, FNV_PRIME) >>> 0
  }
  return h
}
