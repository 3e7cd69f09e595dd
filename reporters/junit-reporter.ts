// Vitest's JUnit reporter with the model in every testcase name: the benchmark runs the same spec files once per model
// (one Vitest project each), and Vitest names a testcase by its describe path only (its `classnameTemplate` sees just
// the file name and path), so oracle's and baseline's cases would be identical. Use it where `--reporter=junit` goes:
// `--reporter=./reporters/junit-reporter.ts --outputFile.junit=junit.xml`; it takes the same options.

import type { RunnerTask } from 'vitest'
import { JUnitReporter } from 'vitest/node'

/** "oracle > Single tool > weather-paris > run 1": the project first, as the describe path's own first step. */
export function projectTestName(project: string | undefined, name: string): string {
  return project ? `${project} > ${name}` : name
}

export default class ProjectJUnitReporter extends JUnitReporter {
  // Vitest hands this method each file's tests, flattened, with `name` already the describe path: only the name changes.
  // (A file that failed to load comes as a stand-in task whose `file` is null, typed or not.)
  override async writeTasks(tasks: RunnerTask[], filename: string): Promise<void> {
    await super.writeTasks(tasks.map(task => ({ ...task, name: projectTestName((task.file as RunnerTask['file'] | null)?.projectName, task.name) }) as RunnerTask), filename)
  }
}
