import { createClickHouse, migrateClickHouse, insertScores, listExchanges, insertExchanges } from './index.ts'
const ch = createClickHouse({ dataDir: '/tmp/chx/dbg' })
await migrateClickHouse(ch)
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0)
const ids = [crypto.randomUUID(), crypto.randomUUID()]
const ex = (id: string, i: number) => ({ eventId: id, projectId: 'p', time: T0 + i * 30000, endpoint: 'chat.completions' as const, route: '', upstream: '', model: '', stream: false, status: 200, outcome: 'ok' as const, latencyMs: 1, ttftMs: null, usage: null, requestJson: '', prompt: '', responseText: '', toolCalls: [], finishReason: '', tags: { user: '', session: '', feature: '', policyVersion: '', extra: {} }, sources: [], errorMessage: '' })
await insertExchanges(ch)(ids.map(ex))
await insertScores(ch)(ids.map((id, i) => ({ eventId: id, projectId: 'p', time: T0 + i * 30000, scorer: 's', scorerVersion: '1', name: 'refusal', value: 1, label: 'full' })))
const rs = await ch.query({ query: 'SELECT toString(event_id), time, toUnixTimestamp64Milli(time) FROM scores_v1', format: 'JSONEachRow' })
console.log(ids, await rs.json())
console.log(JSON.stringify((await listExchanges(ch)({ projectId: 'p', limit: 10, offset: 0 })).items.map((i) => [i.id, i.scores])))
await ch.close()
