import { describeValue, isClass } from '../../shared/validate.ts';
import { checkMessageSize, serialisePayload } from './payload.ts';
import { TaskRun } from './run-task.ts';
import type { Durability, TaskDefinition, TaskFunction, TaskHost, TaskRuntime } from './types.ts';

/** Options of `defineTask`. Unknown keys are refused with a `TypeError`. */
export interface DefineTaskOptions {
  /** @default 'in-invoke' (see {@link Durability}) */
  readonly durability?: Durability;
}

/** Options of `task.enqueue`. Unknown keys are refused with a `TypeError`. */
export interface TaskEnqueueOptions {
  /**
   * The task's id, stable across attempts (your idempotency key): a non-empty string of at most
   * 128 characters. @default a random UUID
   */
  readonly taskId?: string;
}

/** A defined task: {@link Task.enqueue} runs it after the response, and on through the queue when it cannot finish here. */
export interface Task<P> {
  readonly name: string;
  readonly durability: Durability;
  /**
   * Validates `payload` at once and queues the task as a job named `task <name>`; returns its taskId.
   * @throws {TypeError} when the payload would not survive JSON unchanged, or would not fit one message (nothing is queued).
   */
  enqueue(payload: P, options?: TaskEnqueueOptions): string;
}

export interface TaskRegistryOptions {
  readonly host: () => TaskHost;
  /** Made at the first `defineTask` (the queue URL read, the one WARN when none). */
  readonly runtime: () => TaskRuntime;
  readonly maxMessageBytes: () => number;
  readonly newId: () => string;
}

const NAME = /^[\w.:-]{1,80}$/;

/** The tasks of this process by name: what `handleTaskBatch` runs a record's task with. */
export class TaskRegistry {
  readonly #tasks = new Map<string, TaskDefinition>();
  readonly #options: TaskRegistryOptions;

  constructor(options: TaskRegistryOptions) {
    this.#options = options;
  }

  get(name: string): TaskDefinition | undefined {
    return this.#tasks.get(name);
  }

  get size(): number {
    return this.#tasks.size;
  }

  /** @throws {TypeError} for a bad name (or one defined before), a non-function, or bad options. */
  define<P>(name: unknown, fn: unknown, options?: unknown): Task<P> {
    if (typeof name !== 'string' || !NAME.test(name)) throw new TypeError(`Expected \`name\` to be 1–80 letters, digits, \`_\`, \`-\`, \`.\` or \`:\`, got ${describeValue(name)}`);
    if (this.#tasks.has(name)) throw new TypeError(`Task \`${name}\` is already defined: each name may be defined once (at module top level), since the queue's messages find their task by name`);
    if (typeof fn !== 'function' || isClass(fn)) throw new TypeError(`Expected the function of task \`${name}\` to be a function, got ${describeValue(fn)}`);
    const durability = readDurability(name, options);
    const definition: TaskDefinition = { name, run: fn as TaskFunction<unknown>, durability };
    this.#options.runtime();
    this.#tasks.set(name, definition);
    return { name, durability, enqueue: (payload, enqueueOptions) => this.#enqueue(definition, payload, enqueueOptions) };
  }

  #enqueue(definition: TaskDefinition, payload: unknown, options: unknown): string {
    const taskId = readTaskId(definition.name, options) ?? this.#options.newId();
    const payloadJson = serialisePayload(definition.name, payload);
    checkMessageSize(definition.name, taskId, payloadJson, this.#options.maxMessageBytes());
    const host = this.#options.host();
    // The payload as the queue would give it back: a run here sees what a redelivery sees.
    const run = new TaskRun({ definition, runtime: this.#options.runtime(), taskId, payload: JSON.parse(payloadJson), payloadJson, attempt: 1, hostHandsOff: host.handsOff, requestId: host.currentRequestId() });
    host.enqueue(run.job, { name: `task ${definition.name}`, handOff: run.handOff, task: { taskId, attempt: 1 } });
    return taskId;
  }
}

function readDurability(name: string, options: unknown): Durability {
  if (options === undefined) return 'in-invoke';
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new TypeError(`Expected the options of task \`${name}\` to be an object, got ${describeValue(options)}`);
  for (const key of Object.keys(options)) if (key !== 'durability') throw new TypeError(`Unknown option \`${key}\` of task \`${name}\`; expected: durability`);
  const durability: unknown = Reflect.get(options, 'durability');
  if (durability === undefined) return 'in-invoke';
  if (durability !== 'in-invoke' && durability !== 'write-ahead') throw new TypeError(`Expected \`durability\` of task \`${name}\` to be 'in-invoke' or 'write-ahead', got ${describeValue(durability)}`);
  return durability;
}

function readTaskId(name: string, options: unknown): string | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new TypeError(`Expected the enqueue options of task \`${name}\` to be an object, got ${describeValue(options)}`);
  for (const key of Object.keys(options)) if (key !== 'taskId') throw new TypeError(`Unknown option \`${key}\` of \`${name}.enqueue\`; expected: taskId`);
  const taskId: unknown = Reflect.get(options, 'taskId');
  if (taskId === undefined) return undefined;
  if (typeof taskId !== 'string' || taskId.length === 0 || taskId.length > 128) throw new TypeError(`Expected \`taskId\` to be a non-empty string of at most 128 characters, got ${describeValue(taskId)}`);
  return taskId;
}
