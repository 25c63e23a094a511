// bench/bundle-parse.ts's rewrites of the extension's bundle (pure, so tests can load them).

/** The bundle's code as the body of an async function nobody calls (it has no static `import`; `import.meta` and `await` stay legal there). */
export function unrunFunction(code: string): string {
  return `export async function unrun() {${code}\n}\n`;
}

/** The bundle's code as one string literal. */
export function oneText(code: string): string {
  return `export const text = ${JSON.stringify(code)};\n`;
}
