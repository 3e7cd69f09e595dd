// Main-process setup, once per project: starts the shared loopback servers (the embedded reference server and the
// concurrency slots) and checks the project's endpoint, so an unreachable server or a missing key is reported in one
// line and the project's tests are skipped instead of timing out one by one.

import type { TestProject } from 'vitest/node'
import type { ReferenceServer } from './reference-server.ts'
import type { Settings } from '../protocol.ts'
import type { SlotServer } from './slot-server.ts'
import type { ModelSpec, Preflight } from '../core/types.ts'
import { readSettings, resolveCache } from './settings.ts'
import { loadEnvFile } from '../runtime/env-file.ts'
import { startHint } from '../models/presets.ts'
import { redact } from '../models/redact.ts'
import { startReferenceServer } from './reference-server.ts'
import { sandboxCapabilities } from '../runtime/sandbox.ts'
import { registeredSuites } from './registry.ts'
import { startSlotServer } from './slot-server.ts'

interface Shared {
  users: number
  /** The embedded reference server, started when the first project that needs it asks, and whether it was. */
  reference: () => Promise<ReferenceServer>
  started: () => Promise<ReferenceServer> | undefined
  slots: Promise<SlotServer>
  /** Said once per process: this machine cannot contain model-written code, so coding tasks will not be run. */
  sandboxNote: Promise<void>
}

// One set of servers for all projects of this Vitest process (global setups of different projects share the process).
const registry = globalThis as typeof globalThis & { __miloShared?: Shared }

function shared(limits: Record<string, number>, log: (line: string) => void): Shared {
  let reference: Promise<ReferenceServer> | undefined
  registry.__miloShared ??= {
    users: 0,
    reference: () => (reference ??= startReferenceServer({ suites: [...registeredSuites()] })),
    started: () => reference,
    slots: startSlotServer(limits),
    sandboxNote: sandboxCapabilities().then((caps) => {
      if (caps.reason) {
        log(`milo-bench: ${caps.reason} (they are recorded as not runnable: an infrastructure error, not the model's 0)`)
      }
    }),
  }
  registry.__miloShared.users++
  return registry.__miloShared
}

async function release(): Promise<void> {
  const current = registry.__miloShared
  if (current && --current.users === 0) {
    registry.__miloShared = undefined
    await Promise.all([current.started()?.then(server => server.close()), current.slots.then(server => server.close())])
  }
}

function describeCause(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: string, message?: string } | undefined) : undefined
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error))
}

/**
 * GET `url`, following redirects only within its origin. A redirect to another origin is not followed: the key travels
 * in `authorization` and `x-api-key`, and Node's fetch strips only the first when it follows one. Returns the final
 * response, or the other origin it was sent to.
 */
async function getWithinOrigin(url: string, headers: Record<string, string>, signal: AbortSignal): Promise<{ response: Response } | { elsewhere: string }> {
  let at = new URL(url)
  for (let hop = 0; ; hop++) {
    const response = await fetch(at, { headers, signal, redirect: 'manual' })
    const location = response.headers.get('location')
    if (response.status < 300 || response.status >= 400 || location === null || hop === 5) {
      return { response }
    }
    await response.body?.cancel()
    const next = new URL(location, at)
    if (next.origin !== at.origin) {
      return { elsewhere: next.origin }
    }
    at = next
  }
}

/** At most this much of a /models reply is read; a longer list is not looked through. */
const modelListCap = 1 << 20

/** The reply's body as text, or undefined when it is longer than `cap` bytes or breaks off. */
async function readCapped(response: Response, cap: number): Promise<string | undefined> {
  const reader = response.body?.getReader()
  if (!reader) {
    return ''
  }
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      size += chunk.value.byteLength
      if (size > cap) {
        await reader.cancel()
        return undefined
      }
      chunks.push(chunk.value)
    }
  }
  catch {
    return undefined
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** The model ids a /models reply lists (OpenAI's `data[].id`, Ollama's `models[].name`), or undefined when it lists none. */
export function listedModels(body: string | undefined): string[] | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(body ?? '')
  }
  catch {
    return undefined
  }
  const record = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null ? value as Record<string, unknown> : {})
  const list = [record(parsed).data, record(parsed).models].find(Array.isArray) as unknown[] | undefined
  const ids = (list ?? []).map(item => record(item).id ?? record(item).name ?? record(item).model).filter((id): id is string => typeof id === 'string')
  return ids.length > 0 ? ids : undefined
}

/**
 * Whether a listed id names the model: the same id in any case, the id under a prefix (Gemini lists
 * `models/gemini-2.5-pro`), or Ollama's default tag (`llama3` is served as `llama3:latest`).
 */
function names(listed: string, model: string): boolean {
  const [id, wanted] = [listed.toLowerCase(), model.toLowerCase()]
  return [wanted, `${wanted}:latest`].some(form => id === form || id.endsWith(`/${form}`))
}

/** A server's id as printed: no control or direction-changing characters (a terminal's escapes), at most 80 characters, no key. */
const printable = (id: string, secrets: string[]): string => {
  const clean = redact(id, secrets).replace(/[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g, '?')
  return clean.length > 80 ? `${clean.slice(0, 79)}…` : clean
}

/**
 * A warning when the endpoint's model list does not name the entry's model: every request would then fail with 404.
 * Only a warning, since a server with one model (llama.cpp) answers any id with it.
 */
async function modelListWarning(spec: ModelSpec, url: string, response: Response, secrets: string[]): Promise<string | undefined> {
  const listed = listedModels(await readCapped(response, modelListCap))
  if (listed === undefined || listed.some(id => names(id, spec.model))) {
    return undefined
  }
  const shown = listed.slice(0, 5).map(id => `'${printable(id, secrets)}'`).join(', ') + (listed.length > 5 ? ` and ${listed.length - 5} more` : '')
  return `${spec.key}: ${url} does not list '${spec.model}' (it lists ${shown}): if every request fails with HTTP 404, the entry's model id is wrong (a server with one model, such as llama.cpp, answers any id)`
}

/** One cheap request (GET /models) to see whether the endpoint answers, accepts the key and serves the model. */
export async function checkEndpoint(spec: ModelSpec, baseURL: string, env: Record<string, string | undefined>): Promise<Preflight> {
  const apiKey = spec.apiKeyEnv ? env[spec.apiKeyEnv] : undefined
  if (spec.apiKeyEnv && !apiKey) {
    return { ok: false, baseURL, reason: `${spec.key}: skipped: ${spec.apiKeyEnv} is not set (put it in .env; see .env.example)` }
  }
  try {
    const models = `${baseURL.replace(/\/+$/, '')}/models`
    const answer = await getWithinOrigin(models, apiKey ? { authorization: `Bearer ${apiKey}`, 'x-api-key': apiKey } : {}, AbortSignal.timeout(spec.where === 'local' ? 5000 : 15_000))
    if ('elsewhere' in answer) {
      return { ok: false, baseURL, reason: `${spec.key}: skipped: ${models} redirects to another origin (${answer.elsewhere}); not followed, so the key was not sent there: if that is the server, make it the base URL` }
    }
    const { response } = answer
    if (!response.ok) {
      await response.body?.cancel()
    }
    if (response.status === 401 || response.status === 403) {
      return { ok: false, baseURL, reason: `${spec.key}: skipped: ${baseURL} rejected the key in ${spec.apiKeyEnv ?? 'MILO_API_KEY'} (HTTP ${response.status})` }
    }
    const warning = response.ok ? await modelListWarning(spec, models, response, apiKey ? [apiKey] : []) : undefined
    return { ok: true, baseURL, ...(warning ? { warning } : {}) }
  }
  catch (error) {
    const hint = spec.where === 'cloud'
      ? 'check the network (DNS, proxy, firewall) and the entry\'s baseURL'
      : `is the server running? Start ${startHint({ ...spec, baseURL })}`
    return { ok: false, baseURL, reason: `${spec.key}: skipped: cannot reach ${baseURL} (${describeCause(error)}); ${hint}` }
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  loadEnvFile()
  const spec = project.getProvidedContext().model as ModelSpec | undefined
  if (!spec) {
    return undefined // the root project: it runs no benchmark
  }
  const limits = Object.fromEntries(project.vitest.projects.map((p) => {
    const model = p.getProvidedContext().model as ModelSpec | undefined
    return [p.name, model?.concurrency ?? 4]
  }))
  const servers = shared(limits, line => project.vitest.logger.log(line))
  const [slots] = await Promise.all([servers.slots, servers.sandboxNote])
  project.provide('slotsURL', slots.url)
  // The settings the config parsed (src/node/settings.ts); read here only under a config that provides none.
  const settings = (project.getProvidedContext().settings as Settings | undefined) ?? readSettings({}, process.env)
  const cache = resolveCache(settings.cacheMode, settings.cacheDir, project.vitest.config.watch, project.vitest.config.root)
  project.provide('cache', cache)
  // Re-scoring from recordings needs no model: neither its server nor its key.
  const preflight = spec.baseURL === 'embedded'
    ? { ok: true, baseURL: (await servers.reference()).url }
    : cache.mode === 'strict'
      ? { ok: true, baseURL: spec.baseURL }
      : await checkEndpoint(spec, spec.baseURL, process.env)
  if (!preflight.ok && preflight.reason) {
    project.vitest.logger.log(`milo-bench: ${preflight.reason}`)
  }
  if ('warning' in preflight && preflight.warning) {
    project.vitest.logger.log(`milo-bench: ${preflight.warning}`)
  }
  project.provide('preflight', preflight)
  return release
}
