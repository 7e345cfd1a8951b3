import { topicOf } from './compose.ts'
import type { Rng } from './hash.ts'

const SNIPPETS: Record<string, string[]> = {
  python: [
    'def solve(items):\n    """Return the cleaned items in order."""\n    result = [item for item in items if item is not None]\n    return result\n\n\nprint(solve([3, None, 1]))',
    'import sys\n\n\ndef main() -> int:\n    data = sys.stdin.read().split()\n    print(len(data))\n    return 0\n\n\nif __name__ == "__main__":\n    raise SystemExit(main())',
  ],
  typescript: [
    'export function solve<T>(items: readonly T[]): T[] {\n  return items.filter((item) => item != null)\n}',
    'async function main(): Promise<void> {\n  const res = await fetch(url)\n  if (!res.ok) throw new Error("HTTP " + res.status)\n  console.log(await res.json())\n}',
  ],
  javascript: [
    'function debounce(fn, ms) {\n  let timer\n  return (...args) => {\n    clearTimeout(timer)\n    timer = setTimeout(() => fn(...args), ms)\n  }\n}',
  ],
  sql: [
    'SELECT customer_id, SUM(total) AS value\nFROM orders\nGROUP BY customer_id\nORDER BY value DESC\nLIMIT 5;',
  ],
  bash: ['find . -name "*.ts" -not -path "*/node_modules/*" | xargs wc -l | tail -n 1'],
  go: ['resp, err := http.Get(url)\nif err != nil {\n\treturn err\n}\ndefer resp.Body.Close()'],
  rust: [
    'fn read(path: &str) -> std::io::Result<String> {\n    let text = std::fs::read_to_string(path)?;\n    Ok(text)\n}',
  ],
  css: ['.parent {\n  display: grid;\n  place-items: center;\n  min-height: 100vh;\n}'],
}

function languageOf(prompt: string): string {
  const p = prompt.toLowerCase()
  const hits: Array<[RegExp, string]> = [
    [/typescript|\btsx?\b|react|vitest|node/, 'typescript'],
    [/javascript|\bjs\b/, 'javascript'],
    [/\bsql\b|postgres|query/, 'sql'],
    [/bash|shell|linux|command line|git\b|docker/, 'bash'],
    [/\bgo\b|golang/, 'go'],
    [/rust/, 'rust'],
    [/css|div/, 'css'],
  ]
  return hits.find(([re]) => re.test(p))?.[1] ?? 'python'
}

/** A coding answer: a sentence or two, a fenced snippet, and an explanation. */
export function composeCodeAnswer(prompt: string, rng: Rng, verbose: boolean): string {
  const lang = languageOf(prompt)
  const snippet = rng.pick(SNIPPETS[lang] ?? SNIPPETS.python ?? [''])
  const topic = topicOf(prompt)
  const intro =
    topic.kind === 'action'
      ? rng.pick([`Here is a concise way to ${topic.text}:`, `You can ${topic.text} like this:`])
      : rng.pick([
          `Here is ${topic.text}:`,
          `Sure, here is ${topic.text}, with a short example:`,
          `A common pattern for this in ${lang}:`,
        ])
  const notes = [
    'This keeps the logic in one small function, which makes it easy to test.',
    'Edge cases such as empty input are handled without special branches.',
    'For large inputs, measure before optimizing; this version is usually fast enough.',
    'If you need it in several places, move it into a shared module.',
  ]
  const explanation = notes.slice(0, verbose ? 4 : rng.int(1, 2)).join(' ')
  return `${intro}\n\n\`\`\`${lang}\n${snippet}\n\`\`\`\n\n${explanation}`
}
