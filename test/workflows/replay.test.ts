import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { WORKFLOW_CONTRACTS } from '../../app/workflow-contracts';
import { workflowBundle } from '../support/env';
import { FIXTURES, historyFromJson, typeOfFixture } from '../support/histories';

/**
 * Deploy safety (docs/decisions.md "How workflow changes ship"): every history recorded by
 * `npm run histories:record` — every workflow type in the states that matter, plus older
 * recordings kept on purpose — must replay with today's workflow bundle. A change that would
 * break a running workflow fails here, in CI, before it is deployed.
 */
const files = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
const historiesOf = (names: string[]) =>
  names.map((f) => ({
    workflowId: f.replace(/\.json$/, ''),
    history: historyFromJson(fs.readFileSync(path.join(FIXTURES, f), 'utf8')),
  }));

/** The replay errors, by fixture; none when every history replays. */
async function replayErrors(bundle: WorkflowBundleWithSourceMap, names: string[]) {
  const errors: Record<string, string> = {};
  let replayed = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, historiesOf(names))) {
    replayed += 1;
    if (result.error) errors[result.workflowId] = String(result.error);
  }
  expect(replayed).toBe(names.length);
  return errors;
}

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const fixtureBundle = (file: string) =>
  bundleWorkflowCode({ workflowsPath: path.join(FIXTURES, '..', 'replay', file), logger: quiet });

describe('replay of recorded histories', () => {
  it('histories are recorded for exactly the registered workflow types (a new type without histories fails)', () => {
    expect([...new Set(files.map(typeOfFixture))].sort()).toEqual(Object.keys(WORKFLOW_CONTRACTS).sort());
  });

  it('every recorded history replays with today’s workflow bundle', async () => {
    expect(files.length).toBeGreaterThanOrEqual(Object.keys(WORKFLOW_CONTRACTS).length);
    expect(await replayErrors(await workflowBundle(), files)).toEqual({});
  });

  it('a change that breaks a running workflow fails replay; the same change behind patched() replays', async () => {
    const welcome = files.filter((f) => typeOfFixture(f) === 'welcomeUser');
    expect(welcome.length).toBeGreaterThan(0);
    const broken = await replayErrors(await fixtureBundle('welcome-unguarded.workflow.ts'), welcome);
    expect(Object.keys(broken).sort()).toEqual(welcome.map((f) => f.replace(/\.json$/, '')).sort());
    expect(Object.values(broken).join('\n')).toMatch(/nondetermin/i);
    expect(await replayErrors(await fixtureBundle('welcome-patched.workflow.ts'), welcome)).toEqual({});
  });
});
