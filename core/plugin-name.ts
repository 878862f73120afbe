/** 'bonbench:bon-rl' and 'pkg/bon-rl' → 'bon-rl': a plugin's name without its package or built-in prefix. */
export function bareName(name: string): string {
  return name.replace(/^.*[:/]/, '')
}
