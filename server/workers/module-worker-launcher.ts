import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread that imports one of the project's own modules and calls a named export of it with
 * `data`. The worker's entry is a small eval'd CommonJS script, so the same code starts it in every runtime:
 *
 * - the built dist/ (`npm start`): the module is a .js file beside the caller and node imports it as is;
 * - tsx (`npm run dev`, benches) and vitest: the caller is a .ts file, and a fresh worker thread has none of
 *   the parent's loaders (tsx's --import hooks, vitest's module runner), so the script first registers tsx's
 *   ESM hooks in the worker (tsx/esm/api register()) and then imports the .ts module.
 *
 * execArgv is empty: the parent's flags (--import tsx, --cpu-prof, vitest's) are not the worker's business.
 * The worker is unref'd, so it never keeps a process alive by itself.
 */
export function launchModuleWorker(moduleUrl: URL, exportName: string, data: unknown): Worker {
  const typescript = moduleUrl.pathname.endsWith('.ts');
  // import.meta.resolve applies the "import" condition: tsx's CommonJS build of esm/api cannot register hooks.
  const loader = typescript ? import.meta.resolve('tsx/esm/api') : null;
  const worker = new Worker(BOOTSTRAP, {
    eval: true, execArgv: [],
    workerData: { loader, moduleUrl: moduleUrl.href, exportName, data },
  });
  worker.unref();
  return worker;
}

/**
 * The module a caller names by its base name, with the caller's own extension: `.ts` under tsx and vitest,
 * `.js` in dist/ (a worker module is never bundled into its caller, so it must be found as a file).
 */
export function siblingModule(callerUrl: string, baseName: string): URL {
  const extension = new URL(callerUrl).pathname.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${baseName}${extension}`, callerUrl);
}

/** A failure anywhere in starting the module is thrown outside the promise, so the worker emits 'error' and exits. */
const BOOTSTRAP = String.raw`'use strict';
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.loader !== null) {
    const { register } = await import(workerData.loader);
    register();
  }
  const started = await import(workerData.moduleUrl);
  const start = started[workerData.exportName];
  if (typeof start !== 'function') throw new Error(workerData.moduleUrl + ' has no export ' + workerData.exportName);
  await start(workerData.data);
})().catch((error) => {
  setImmediate(() => { throw error; });
});
`;
