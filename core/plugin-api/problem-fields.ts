/** The fields a problem may carry (core/plugin-api/task.ts); anything task-specific goes under `data`. */
export const PROBLEM_FIELDS = ['id', 'prompt', 'answer', 'expert', 'level', 'data'] as const

/**
 * The fields of `problem` that are not problem fields, each with what to do: a misspelling of a
 * field (`expert_solution`, `answers`) names the field it resembles; anything else belongs in
 * `data`. The core ignores unknown fields, so a misspelled `expert` would silently leave a task
 * without expert solutions: both the run (checkTaskData) and `checkTaskContract` reject them.
 */
export function unknownProblemFields(problem: object): Array<{ field: string; hint: string }> {
  const known: readonly string[] = PROBLEM_FIELDS
  return Object.keys(problem)
    .filter((field) => !known.includes(field))
    .map((field) => {
      const lower = field.toLowerCase()
      const like = PROBLEM_FIELDS.find((k) => k !== 'id' && (lower.includes(k) || (lower.length >= 4 && k.startsWith(lower))))
      const solution = /solution|completion|reference|target/.test(lower) ? 'expert' : undefined
      const meant = like ?? solution
      return {
        field,
        hint: meant
          ? `did you mean '${meant}'? (a problem holds ${PROBLEM_FIELDS.join(', ')})`
          : `a problem holds ${PROBLEM_FIELDS.join(', ')}; put task-specific values under 'data'`,
      }
    })
}
