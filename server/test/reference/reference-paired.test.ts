import { isoWeekOf, type LeashView } from '@leash/shared'
import { eq } from 'drizzle-orm'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clickHouseSource } from '../../src/alerts/clickhouse-source.ts'
import { evaluateOnce } from '../../src/alerts/evaluator.ts'
import { DEFAULT_LIFECYCLE } from '../../src/alerts/lifecycle.ts'
import { incidents } from '../../src/db/postgres/index.ts'
import { type DemoModel, startDemoModel } from '../../src/demo/model-server.ts'
import { promptsByCategory } from '../../src/demo/prompts.ts'
import { SCENARIO_METADATA_KEY } from '../../src/demo/scenario.ts'
import { ADMIN_TOKEN, api, PROJECT_KEY, startTestLeash, type TestLeash } from '../support/leash.ts'

/**
 * Paired mode (issue 19): the demo model against a shifted copy of itself. The policy answers under
 * the over-refusal scenario; the reference is the same demo model, unshifted, asked the same prompts.
 * Both answers are scored by the registry's refusal, reward and style scorers; the refusal delta
 * rises and the "refusing more than the reference" rule template fires.
 */
describe('reference, paired mode: the demo model against its over-refusing self', () => {
  let policy: DemoModel
  let reference: DemoModel
  let leash: TestLeash
  let client: OpenAI
  let projectId: string
  const prompts = promptsByCategory('everyday')

  async function traffic(n: number, scenario: string | null) {
    for (let i = 0; i < n; i++) {
      const p = prompts[i % prompts.length]
      const res = await client.chat.completions.create({
        model: 'leash-demo-mini',
        messages: [{ role: 'user', content: p?.turns[0] ?? 'hello' }],
        ...(scenario ? { metadata: { [SCENARIO_METADATA_KEY]: scenario } } : {}),
      })
      expect(res.choices[0]?.message.content).toBeTruthy()
    }
    await leash.pipeline.flush()
    await leash.reference.idle()
  }

  const view = async (from: number, to: number) =>
    (
      await api<LeashView>(
        leash,
        `/api/reference/leash?project=${projectId}&from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`,
      )
    ).body

  beforeAll(async () => {
    policy = await startDemoModel({ latencyScale: 0 })
    reference = await startDemoModel({ latencyScale: 0, seed: 1 })
    leash = await startTestLeash({ mode: 'embedded', upstreamUrl: policy.baseUrl })
    client = new OpenAI({ apiKey: PROJECT_KEY, baseURL: `${leash.url}/v1`, maxRetries: 0 })
    const { body } = await api<{ items: { id: string }[] }>(leash, '/api/projects')
    projectId = body.items[0]?.id ?? ''
    const put = await api(leash, `/api/projects/${projectId}/settings`, {
      method: 'PUT',
      body: JSON.stringify({
        reference: {
          baseUrl: reference.baseUrl,
          model: 'leash-demo-mini',
          mode: 'paired',
          sampleRate: 1,
          maxPerMinute: 100_000,
        },
      }),
    })
    expect(put.status).toBe(200)
  }, 120_000)
  afterAll(async () => {
    await leash?.stop()
    await policy?.close()
    await reference?.close()
  })

  it('measures the refusal delta against the reference, keeps both answers, and the refusal-delta rule fires', async () => {
    const t0 = Date.now()
    await traffic(60, null)
    const t1 = Date.now()
    await traffic(100, 'over-refusal')
    const t2 = Date.now()

    const same = await view(t0, t1)
    const shifted = await view(t1, t2)
    const fmt = (e?: { value: number; lo: number; hi: number }) =>
      e ? `${e.value.toFixed(3)} [${e.lo.toFixed(3)}, ${e.hi.toFixed(3)}]` : 'none'
    console.log(
      `paired: unshifted n=${same.paired?.n} refusal delta ${fmt(same.paired?.refusalDelta)}, reward delta ${fmt(same.paired?.rewardDelta)}; ` +
        `over-refusal n=${shifted.paired?.n} refusal delta ${fmt(shifted.paired?.refusalDelta)}, reward delta ${fmt(shifted.paired?.rewardDelta)}, length ratio ${fmt(shifted.paired?.lengthRatio)}, reward sign test p=${shifted.paired?.rewardSign.p.toExponential(2)}`,
    )
    expect(same.paired?.n).toBe(60)
    expect(shifted.paired?.n).toBe(100)
    // The same model against itself: no refusal difference beyond noise.
    expect(same.paired?.refusalDelta.lo).toBeLessThanOrEqual(0.05)
    // Over-refusal: the policy refuses benign prompts the reference answers.
    expect(shifted.paired?.refusalDelta.lo).toBeGreaterThan(0.1)
    // Refusals are short and score lower than answers.
    expect(shifted.paired?.lengthRatio.value).toBeLessThan(same.paired?.lengthRatio.value ?? 0)
    expect(shifted.paired?.rewardDelta.value).toBeLessThan(same.paired?.rewardDelta.value ?? 0)
    // Side by side: both answers are kept.
    const pair = shifted.pairs[0]
    expect(pair?.policyText.length).toBeGreaterThan(0)
    expect(pair?.referenceText.length).toBeGreaterThan(0)
    expect(shifted.kl).toBeNull()

    // The scores are scores of the exchange, scorer reference:<model>.
    const rs = await leash.clickhouse.query({
      query: `SELECT DISTINCT scorer, name FROM scores_v1 WHERE project_id = {p:String} AND scorer LIKE 'reference:%' ORDER BY name`,
      query_params: { p: projectId },
      format: 'JSONEachRow',
    })
    const names = ((await rs.json()) as Array<{ scorer: string; name: string }>).map(
      (r) => `${r.scorer} ${r.name}`,
    )
    expect(names).toEqual(
      expect.arrayContaining([
        'reference:leash-demo-mini reference_refusal_delta',
        'reference:leash-demo-mini reference_reward_delta',
        'reference:leash-demo-mini reference_length_ratio',
      ]),
    )

    // The rule template, created as any rule, fires on the refusal delta.
    const tpl = await api<{ items: Array<Record<string, unknown> & { template: string }> }>(
      leash,
      `/api/reference/rule-templates?project=${projectId}`,
    )
    const { template: _t, ...rule } = tpl.body.items.find(
      (r) => r.template === 'reference-refusal-delta',
    ) ?? {
      template: '',
    }
    const created = await api<{ id: string }>(leash, '/api/alert-rules', {
      method: 'POST',
      body: JSON.stringify({ ...rule, project: projectId, window: '10m' }),
    })
    expect(created.status).toBe(201)
    const deps = {
      db: leash.postgres.db,
      source: clickHouseSource(leash.clickhouse),
      log: () => {},
      config: { ...DEFAULT_LIFECYCLE, publicUrl: 'http://leash.test' },
    }
    const [result] = await evaluateOnce(deps, Date.now() + 1_000, { projectId, ruleIds: [created.body.id] })
    expect(result?.error).toBeNull()
    expect(result?.instances.map((i) => i.state)).toEqual(['Firing'])
    const opened = await leash.postgres.db.select().from(incidents).where(eq(incidents.projectId, projectId))
    expect(opened.map((i) => i.ruleId)).toContain(created.body.id)

    // The weekly report carries its Leash section (this week, so it includes the run above).
    const week = isoWeekOf(Date.now()).week
    const md = await fetch(`${leash.url}/api/reports/weekly?project=${projectId}&week=${week}&format=md`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    })
    expect(md.status).toBe(200)
    const text = await md.text()
    expect(text).toContain('## Leash: drift from the reference model')
    expect(text).toMatch(/Paired with the reference on 160 prompts: refusal delta 0\.\d+/)
  }, 600_000)
})
