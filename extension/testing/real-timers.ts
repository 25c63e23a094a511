/**
 * Node's own timers, taken from `node:timers` when the kit loads: a test that installs fake
 * timers (`vi.useFakeTimers()`, jest's) replaces the globals, and the kit's deadline, timeout and
 * turns must still pass in real time. The handler's own timers are whatever the test made them.
 */
const timers = process.getBuiltinModule('node:timers');

export const realSetTimeout = timers.setTimeout;
export const realClearTimeout = timers.clearTimeout;
export const realSetImmediate = timers.setImmediate;
