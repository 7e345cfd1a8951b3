/** `leash train <scorer>`: the trainers live in server/lab/, loaded only when asked for. */
export async function trainCommand(args: string[]): Promise<void> {
  const { trainCommand: run } = await import('../../lab/train.ts')
  return run(args)
}
