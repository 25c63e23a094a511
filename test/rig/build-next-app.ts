// `vite-node test/rig/build-next-app.ts`: builds and caches the Next.js fixture (see next-app.ts).
import { ensureNextApp } from './next-app.ts';

const app = await ensureNextApp((line) => console.error(line));
console.error(`next-app: ready (${app.standalone}, ${app.openNext})`);
