export { reviewQueue } from './queue.ts'
export {
  deleteLabels,
  findEvent,
  labelledEventIds,
  labelRows,
  listLabels,
  recordLabel,
  recordWeakRefusalLabel,
} from './service.ts'
