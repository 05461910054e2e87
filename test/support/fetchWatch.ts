/**
 * Counts the HTTP requests this process starts (every client here goes through the global
 * `fetch`) once armed. "Nothing is sent after the cancel" is asserted here, where requests leave,
 * and not at the server: under load a request sent before the cancel can reach the server late.
 */
export function watchFetches() {
  const realFetch = globalThis.fetch;
  let armed = false;
  let sent = 0;
  globalThis.fetch = (...args: Parameters<typeof fetch>) => {
    if (armed) sent++;
    return realFetch(...args);
  };
  return {
    /** From now on, count. */
    arm: () => void (armed = true),
    sentSinceArmed: () => sent,
    restore: () => void (globalThis.fetch = realFetch),
  };
}
