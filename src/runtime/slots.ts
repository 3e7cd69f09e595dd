// A worker's side of the concurrency slots: wait for a slot of a model from the main process's slot server
// (src/node/slot-server.ts) before a model call, give it back after.

/** Waits for a slot for `key`; the returned function gives it back. Without a slot server, slots are unlimited. */
export async function acquireSlot(url: string | undefined, key: string): Promise<() => void> {
  if (!url) {
    return () => {}
  }
  const name = encodeURIComponent(key)
  const response = await fetch(`${url}/acquire/${name}`, { method: 'POST' })
  await response.text()
  let released = false
  return () => {
    if (!released) {
      released = true
      void fetch(`${url}/release/${name}`, { method: 'POST' }).then(r => r.text()).catch(() => {})
    }
  }
}
