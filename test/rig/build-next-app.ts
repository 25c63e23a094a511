// `vite-node test/rig/build-next-app.ts`: builds and caches the Next.js fixture (see next-app.ts).
import { ensureNextApp } from './next-app.ts';

console.log(`next-app: ready at ${ensureNextApp()}`);
