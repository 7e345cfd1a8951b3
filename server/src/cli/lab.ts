/**
 * Loads a module of server/lab/ (training and evaluation, run through tsx). The specifier is built
 * at run time so the production build (`server/dist`, which `npm start` runs) does not compile lab/.
 */
export async function labModule<T>(name: 'train' | 'eval'): Promise<T> {
  if (import.meta.url.endsWith('.js')) {
    throw new Error(`leash ${name} runs from the TypeScript sources: npm run leash -- ${name}`)
  }
  const url = new URL(`../../lab/${name}.ts`, import.meta.url)
  return (await import(url.href)) as T
}
