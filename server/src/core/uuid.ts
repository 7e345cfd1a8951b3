/** Milliseconds in the first 48 bits of a UUIDv7 (the gateway's event ids), or null for another version. */
export function uuidV7Millis(id: string): number | null {
  const hex = id.replace(/-/g, '').toLowerCase()
  if (!/^[0-9a-f]{32}$/.test(hex) || hex[12] !== '7') return null
  return Number.parseInt(hex.slice(0, 12), 16)
}
