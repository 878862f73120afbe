/** ∂f/∂θₖ for every k by central differences (step 1e-6): the gradient a test checks an exact one against. */
export function fdGrad(f: (theta: number[]) => number, theta: readonly number[]): number[] {
  return theta.map((_, k) => {
    const up = [...theta]
    const down = [...theta]
    up[k]! += 1e-6
    down[k]! -= 1e-6
    return (f(up) - f(down)) / 2e-6
  })
}
