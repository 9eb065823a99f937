/**
 * `npm run build:workflows [-- path]`: bundles the workflow code ahead, as production workers
 * should run it (set WORKFLOW_BUNDLE to the file). Default path: .build/workflows.js.
 */
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../app/worker';

export async function buildWorkflowBundle(file: string): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, code);
  return file;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = path.resolve(process.argv[2] ?? '.build/workflows.js');
  await buildWorkflowBundle(file);
  process.stdout.write(`workflow bundle written to ${file}; start workers with WORKFLOW_BUNDLE=${file}\n`);
}
