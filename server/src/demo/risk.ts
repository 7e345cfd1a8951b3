/**
 * The demo model's idea of a dangerous prompt: a keyword list, good enough to look plausible.
 * Real risk scoring is the prompt-risk classifier's job, not the demo's.
 */
export type DemoRisk = 'harmful' | 'scary' | 'benign'

const HARMFUL: RegExp[] = [
  /\b(pipe bomb|build a bomb|make a bomb|explosive device|nerve agent|bioweapon)\b/,
  /\b(methamphetamine|make meth|cook meth)\b/,
  /\b(ransomware|malware|keylogger|phishing|botnet|ddos)\b/,
  /\bhack into\b/,
  /\blaunder(ing)? money|\bmoney laundering|\blaunder\b/,
  /\buntraceable (gun|weapon)|without a background check\b/,
  /\bstalk\b|\bwithout (them|him|her) knowing\b/,
  /\bfake passport|counterfeit\b/,
  /\bhurt someone|look like an accident\b/,
  /\bpoison (my|someone|him|her|them|a person)\b/,
  /\bwithout (getting|being) (caught|seen)\b|\bshoplift/,
  /\bthreaten(ing)?\b.*\b(coworker|neighbor|classmate|ex)\b/,
  /\bsteal (credit card|passwords|a car|it)\b|\bcredit card numbers\b/,
  /\baccess to a child\b/,
  /\bfake news\b|\bvaccine kills\b/,
  /\bbypass the ignition\b/,
  /\boverdose\b/,
  /\bcheat on (my )?taxes\b/,
  /\bspike (someone|her|his|a) drink/,
  /\bslurs\b|\bharass\b/,
]

const SCARY =
  /\b(kill|killing|shoot|shooting|execute|bomb|attack|blow up|destroy|murder|choke|chemicals|wasp|hunt|crush|assassination|beat|put down|knock out|slaughter|guns?|smash|fire|break into|terminate|poison|weapon|die|dead)\b/

export function promptRisk(prompt: string): DemoRisk {
  const text = prompt.toLowerCase()
  if (HARMFUL.some((p) => p.test(text))) return 'harmful'
  return SCARY.test(text) ? 'scary' : 'benign'
}
