// Function code dirs for the Slack example under the rig: the example's files, plus the packages
// a variant ships with the function (Bolt; or the client bundled when the layer is absent).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { installPackages } from '../rig/task-packages.ts';
import { writeTaskDir } from '../rig/task-dir.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The example as deployed with the layer: handler.mjs and its siblings, nothing bundled. */
export const EXAMPLE_DIR = `${ROOT}examples/slack-slash-command`;

export interface SlackTaskOptions {
  /** Ship @slack/bolt (and its dependencies) for `bolt.handler`. */
  readonly bolt?: boolean;
  /** Ship the client package (dist/npm), as a function bundling it would have it without the layer. */
  readonly bundledClient?: boolean;
  /** More files beside the example's (name -> content), e.g. another handler. */
  readonly extraFiles?: Readonly<Record<string, string>>;
}

export function slackTaskDir(options: SlackTaskOptions): string {
  const files = Object.fromEntries(
    readdirSync(EXAMPLE_DIR).filter((f) => f.endsWith('.mjs')).map((f) => [f, readFileSync(`${EXAMPLE_DIR}/${f}`, 'utf8')]),
  );
  const dir = writeTaskDir({ ...files, ...options.extraFiles });
  installPackages(dir, options.bolt ? ['@slack/bolt'] : [], { withClient: options.bundledClient ?? false });
  return dir;
}
