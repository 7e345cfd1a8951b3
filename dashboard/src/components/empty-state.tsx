/** Shown until the project has its first logged response: says how to send some. */
export function EmptyState() {
  const base = `${window.location.origin}/v1`
  return (
    <section className="card empty-state" data-testid="empty-state">
      <h2>No traffic yet</h2>
      <p>Leash shows a response here as soon as one passes through the gateway. Two ways to get some:</p>
      <ol>
        <li>
          Generate demo traffic: <code>npm run leash -- demo traffic</code>
        </li>
        <li>
          Point any OpenAI client at <code>{base}</code> with your project key as the API key:
          <pre>{`import OpenAI from 'openai'

const client = new OpenAI({ baseURL: '${base}', apiKey: process.env.LEASH_PROJECT_KEY })
await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] })`}</pre>
        </li>
      </ol>
      <p className="muted">This page refreshes every 5 seconds.</p>
    </section>
  )
}
