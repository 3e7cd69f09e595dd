// Worker setup: keys from .env (read here, in the worker that makes the calls) and the benchmark's matchers.

import { config } from 'dotenv'
import './matchers.ts'

config({ quiet: true })
