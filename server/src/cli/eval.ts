/** `leash eval [<scorer>]`: the evaluators and the scorer card live in server/lab/, loaded only when asked for. */
export async function evalCommand(args: readonly string[]): Promise<void> {
  const { evalCommand: run } = await import('../../lab/eval.ts')
  return run(args)
}
