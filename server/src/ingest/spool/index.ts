export type { FrameCheck } from './format.ts'
export { checkFrame, encodeFrame, FRAME_HEADER_BYTES, MAX_RECORD_BYTES } from './format.ts'
export type { SpoolBatch, SpoolFullPolicy, SpoolOptions, SpoolPosition, SpoolStats } from './spool.ts'
export { comparePositions, Spool } from './spool.ts'
