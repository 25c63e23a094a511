/*
 * malloc-trim.c: a Node-API addon (NAPI_VERSION 8) exporting one function,
 *
 *   mallocTrim(): boolean   // malloc_trim(0) == 1
 *
 * What it is for: glibc's malloc keeps the pages that freed memory leaves behind in its arenas,
 * so a runtime's RSS stays high after V8's concurrent compilers (and other native threads) free
 * their scratch memory. Measured with bench/memory-ab.ts --trim on nodejs24.x (realistic
 * workload, 128 MB function): RSS 122.7 -> 97.5 MB without the layer, 130.5 -> 97.3 MB with it.
 * The extension calls mallocTrim() at an invoke's release, now and then, to give that memory back.
 *
 * The glibc fact (malloc_trim(3), glibc's Linux man page): since glibc 2.8, malloc_trim releases
 * whole free pages in all arenas and in every chunk with whole free pages, not only the top of the
 * main heap; it returns 1 when memory was released to the system, 0 when none could be; it is
 * MT-Safe (glibc's malloc.c takes each arena's lock in turn). pad 0 keeps no extra slack at the heap's top.
 *
 * Loaded by the extension (`require` of lambda-after-response/malloc-trim-<process.arch>.node
 * beside extension.mjs; extension/memory/malloc-trim.ts) at its first trim, never at init.
 * Built by build.sh for x64 (gcc) and arm64 (aarch64-linux-gnu-gcc); linked against glibc symbols
 * no newer than Amazon Linux 2023's glibc 2.34 (test/checks/native-addon.test.ts).
 */
#define NAPI_VERSION 8
#include <malloc.h>
#include <node_api.h>

static napi_value malloc_trim_js(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  if (napi_get_boolean(env, malloc_trim(0) == 1, &result) != napi_ok) return NULL;
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "mallocTrim", NAPI_AUTO_LENGTH, malloc_trim_js, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "mallocTrim", fn) != napi_ok) return NULL;
  return exports;
}
