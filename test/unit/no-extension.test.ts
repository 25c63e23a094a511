// The client's WARN when no extension is loaded names the likely cause from the environment:
// another layer's exec wrapper that replaced NODE_OPTIONS, a preload that did not load, or none set.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { noExtensionWarning } from '../../client/hosts/no-extension.ts';

const HEAD = 'no lambda-after-response extension is loaded: jobs run in-process and are not held, so Lambda may freeze them';
const PRELOAD = '--import=/opt/lambda-after-response/extension.mjs';

describe('noExtensionWarning', () => {
  it('another wrapper owns AWS_LAMBDA_EXEC_WRAPPER: names it, the NODE_OPTIONS way in, and a replaced NODE_OPTIONS', () => {
    const text = noExtensionWarning({ AWS_LAMBDA_EXEC_WRAPPER: '/opt/otel-handler', NODE_OPTIONS: '--import /opt/init.mjs' });
    expect(text).toBe(`${HEAD}. AWS_LAMBDA_EXEC_WRAPPER is another wrapper, "/opt/otel-handler": load the extension with NODE_OPTIONS=${PRELOAD}; if that is set, the wrapper replaced NODE_OPTIONS (now "--import /opt/init.mjs") instead of appending to it: chain the wrappers instead (a script running \`exec /opt/otel-handler /opt/after-response "$@"\` as AWS_LAMBDA_EXEC_WRAPPER)`);
    expect(noExtensionWarning({ AWS_LAMBDA_EXEC_WRAPPER: '/opt/otel-handler' })).toContain('(now unset)');
  });

  it('NODE_OPTIONS holds the preload yet nothing loaded: asks whether the layer is attached', () => {
    expect(noExtensionWarning({ AWS_LAMBDA_EXEC_WRAPPER: '/opt/otel-handler', NODE_OPTIONS: `${PRELOAD} --import /opt/init.mjs` }))
      .toBe(`${HEAD}. NODE_OPTIONS imports /opt/lambda-after-response/extension.mjs, but it did not load: is the layer attached? (an error of its own would be logged above)`);
  });

  it('nothing set (or our own wrapper): no layer, or neither way of loading it', () => {
    const generic = `${HEAD} (no layer, or neither AWS_LAMBDA_EXEC_WRAPPER=/opt/after-response nor NODE_OPTIONS=${PRELOAD} is set)`;
    expect(noExtensionWarning({})).toBe(generic);
    expect(noExtensionWarning({ AWS_LAMBDA_EXEC_WRAPPER: ' ', NODE_OPTIONS: '' })).toBe(generic);
    expect(noExtensionWarning({ AWS_LAMBDA_EXEC_WRAPPER: '/opt/after-response' })).toBe(generic);
  });

  it('any environment: one line starting with the stable head, values shown bounded and quoted', () => {
    const value = fc.option(fc.oneof(fc.string({ maxLength: 600 }), fc.string({ unit: fc.constantFrom('/', 'a', ' ', '\n', '\r', '\t', '"', '\u2028'), maxLength: 600 })), { nil: undefined });
    fc.assert(fc.property(value, value, (wrapper, nodeOptions) => {
      const text = noExtensionWarning({ AWS_LAMBDA_EXEC_WRAPPER: wrapper, NODE_OPTIONS: nodeOptions });
      expect(text.startsWith(HEAD)).toBe(true);
      expect(text).not.toMatch(/[\n\r]/);
      expect(text.length).toBeLessThan(HEAD.length + 1300);
    }));
  });
});
