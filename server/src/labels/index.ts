export {
  deleteLabels,
  findEvent,
  labelledEventIds,
  labelRows,
  listLabels,
  recordLabel,
  recordWeakRefusalLabel,
} from './service.ts'
