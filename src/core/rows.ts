// A leaderboard row's identity. Most rows are a model of the matrix, named by its project key; the `custom` project is
// whatever MILO_BASE_URL and MILO_MODEL say this time, so its rows also carry the model and the endpoint.

import type { ModelResult, ModelSpec, RecordedModel } from './types.ts'

/** An endpoint as a row names it: scheme, host, port and path, without credentials, query or a trailing slash. */
export function endpointOf(baseURL: string): string {
  if (!URL.canParse(baseURL)) {
    return baseURL
  }
  const url = new URL(baseURL)
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`
}

/**
 * A leaderboard row's identity: its project; for `custom` (whatever MILO_BASE_URL and MILO_MODEL name) the model and
 * the endpoint too, so runs against two endpoints, or two models behind one, never share a row.
 */
export function rowKey(row: Pick<ModelResult, 'project' | 'model' | 'endpoint'>): string {
  return row.project === 'custom' && row.endpoint !== undefined ? `custom ${row.model} @ ${row.endpoint}` : row.project
}

/**
 * A row's name where a column has little room (per-category tables, the heat map, the plot): its project; for a
 * `custom` row its model and the endpoint's host too (`custom qwen@10.0.0.5:8000`), since two custom rows differ only
 * by those.
 */
export function columnLabel(row: Pick<ModelResult, 'project' | 'model' | 'endpoint'>): string {
  if (row.project !== 'custom' || row.endpoint === undefined) {
    return row.project
  }
  return `custom ${row.model}@${URL.canParse(row.endpoint) ? new URL(row.endpoint).host : row.endpoint}`
}

/**
 * Where a project's recorded replies are kept (src/models/cache.ts): its key, which names a matrix model wherever its
 * server runs; for `custom`, its model and endpoint too, as its rows have them, so one endpoint's replies never answer
 * another's calls.
 */
export function replySpace(project: string, model: string, baseURL: string): string {
  return rowKey({ project, model, endpoint: endpointOf(baseURL) })
}

/** A model as its records keep it: what names and prices it, no key and nothing only the client needs. */
export function recordedModel(spec: ModelSpec): RecordedModel {
  const { key, name, model, baseURL, server, where, context, params, price, stream, lenientTextToolCalls } = spec
  return { key, name, model, baseURL, server, where, context, ...(params ? { params } : {}), ...(price ? { price } : {}), ...(stream ? { stream } : {}), ...(lenientTextToolCalls ? { lenientTextToolCalls } : {}) }
}
