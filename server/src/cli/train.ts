import { labModule } from './lab.ts'

/** `leash train <scorer>`: the trainers live in server/lab/, loaded only when asked for. */
export async function trainCommand(args: string[]): Promise<void> {
  const { trainCommand: run } = await labModule<{ trainCommand(args: string[]): Promise<void> }>('train')
  return run(args)
}
