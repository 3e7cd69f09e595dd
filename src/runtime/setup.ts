// Worker setup: keys from .env (read here, in the worker that makes the calls) and the benchmark's matchers.

import { loadEnvFile } from './env-file.ts'
import './matchers.ts'

loadEnvFile()
