import { bundleWorkflowCode } from '@temporalio/worker';
import { expect, it } from 'vitest';
import { WORKFLOW_CONTRACTS } from '../../app/workflow-contracts';
import * as registered from '../../app/workflows';
import { WORKFLOWS_PATH } from '../../app/worker';

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

it('the workflow bundle builds without Node-only imports', async () => {
  const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quiet });
  expect(bundle.code.length).toBeGreaterThan(1000);
  expect(bundle.code).toContain('welcomeUser');
});

it('the bundler refuses a workflow file that imports a Node built-in (so the test above can fail)', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-bundle-'));
  const file = path.join(dir, 'bad.ts');
  fs.writeFileSync(file, "import fs from 'node:fs';\nexport async function bad() { return fs.existsSync('/'); }\n");
  await expect(bundleWorkflowCode({ workflowsPath: file, logger: quiet })).rejects.toThrow();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('every registered workflow has a contract under its own name, and every contract names a registered workflow', () => {
  expect(Object.keys(WORKFLOW_CONTRACTS).sort()).toEqual(Object.keys(registered).sort());
  for (const [name, contract] of Object.entries(WORKFLOW_CONTRACTS)) {
    expect(contract.workflowType).toBe(name);
    expect(typeof registered[name as keyof typeof registered]).toBe('function');
  }
});
