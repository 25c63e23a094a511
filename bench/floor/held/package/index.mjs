// The held floor's client (bench/floor/held/preload.mjs): starts the job and keeps its promise for the extension to await.
const held = globalThis[Symbol.for('bench-floor-held')];
export const enqueueAfterResponse = (job) => void held?.pending.push(typeof job === 'function' ? job() : job);
