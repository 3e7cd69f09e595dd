// coding-agent / Bug fixes: the model edits a small repository through the code tools until its hidden tests pass.
// The rubric (10 points a run) is shared by the suite's categories: see rubric.ts.

import { codingAgent } from '../../fixtures/suites.ts'
import { describeCategory } from '../../src/runtime/bench.ts'
import { codingAgentRubric, points } from './rubric.ts'

describeCategory(codingAgent, 'bug-fixes', { points }, codingAgentRubric)
