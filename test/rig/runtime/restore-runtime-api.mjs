// Rig only (SandboxOptions.refuseExtensionConnections): the preloads before this one saw an
// AWS_LAMBDA_RUNTIME_API that refuses connections; the runtime client, which reads it after
// every preload, gets the real address back.
if (process.env.RIG_RUNTIME_API) {
  process.env.AWS_LAMBDA_RUNTIME_API = process.env.RIG_RUNTIME_API;
  delete process.env.RIG_RUNTIME_API;
}
