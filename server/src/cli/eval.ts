import { labModule } from './lab.ts'

/** `leash eval [<scorer>]`: the evaluators and the scorer card live in server/lab/, loaded only when asked for. */
export async function evalCommand(args: readonly string[]): Promise<void> {
  const { evalCommand: run } = await labModule<{ evalCommand(args: readonly string[]): Promise<void> }>(
    'eval',
  )
  return run(args)
}
