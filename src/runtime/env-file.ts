// Reads keys and settings from `.env` (or the file MILO_ENV_FILE names) into process.env, quietly, without overriding
// what the environment already sets. The project's own tests point MILO_ENV_FILE at /dev/null so a developer's keys
// never reach them.

import { config } from 'dotenv'

export function loadEnvFile(): void {
  config({ quiet: true, path: process.env.MILO_ENV_FILE || '.env' })
}
