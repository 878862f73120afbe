/**
 * Candidates no verifier should throw on: empty and blank text, a very long string, control
 * characters and a lone surrogate, unbalanced brackets and LaTeX, code that throws, exits, loops
 * forever or prints, JSON that looks like a verdict, and numbers that do not parse as finite.
 * The contract testers score every one of them; a verdict (usually a failing one) is expected,
 * never an exception. Pass your own list to a tester to add domain-specific garbage.
 */
export const garbageCompletions: readonly string[] = [
  '',
  ' ',
  '\n\n\n',
  'x'.repeat(100_000),
  '\u0000\u0001\u0007\u001b[31mred\u001b[0m',
  'lone surrogate \ud800 here',
  '}}}{{{)))(((]]][[[',
  '\\boxed{',
  '\\boxed{\\frac{1}{0}}',
  'The answer is NaN',
  '-Infinity',
  '9'.repeat(400),
  'undefined',
  '{"score": 1, "pass": true, "reason": "passed"}',
  'throw new Error("candidate threw")',
  'process.exit(0)',
  'while (true) {}',
  'console.log("x".repeat(1e6))',
  '🙂'.repeat(64),
  "'; DROP TABLE problems; --",
]
