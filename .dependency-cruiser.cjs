// The rooms of Kartkontor and what each may import (README "How the code is organised").
// `npm test` runs this check; a forbidden import fails it.
const CONTEXTS = '(orders|cases|settlement)';
const WORKFLOW_CODE = '(\\.workflow\\.ts$|\\.messages\\.ts$|^app/workflows\\.ts$)';
/** What workflow code may import besides the SDK: messages, rules, the kernel, other workflow code, and the workflow-safe helpers. */
const WORKFLOW_SAFE =
  '(\\.workflow\\.ts$|\\.messages\\.ts$|\\.rules\\.ts$|^settlement/rules/|^domain/|^platform/temporal/(proxies|refusal|contract)\\.ts$)';

module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'domain/ (the kernel) imports only domain/ and pure libraries',
      severity: 'error',
      from: { path: '^domain/' },
      to: { path: '^(platform|identity|invoicing|orders|cases|settlement|app|dev|db|test)/' },
    },
    {
      name: 'domain-no-node',
      comment: 'domain/ runs in workflows too: no Node built-ins',
      severity: 'error',
      from: { path: '^domain/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'platform-below-contexts',
      comment: 'platform/ imports only domain/ and db/migrations',
      severity: 'error',
      from: { path: '^platform/' },
      to: { path: '^(identity|invoicing|orders|cases|settlement|app|dev|test)/' },
    },
    {
      name: 'identity-below-business',
      comment: 'identity/ imports only domain/ and platform/',
      severity: 'error',
      from: { path: '^identity/' },
      to: { path: '^(invoicing|orders|cases|settlement|app|dev|test|db)/' },
    },
    {
      name: 'invoicing-below-business',
      comment: 'invoicing/ imports only domain/, platform/ and identity/',
      severity: 'error',
      from: { path: '^invoicing/' },
      to: { path: '^(orders|cases|settlement|app|dev|test|db)/' },
    },
    {
      name: 'contexts-apart',
      comment: 'orders/, cases/ and settlement/ never import each other (app/ composes them)',
      severity: 'error',
      from: { path: `^${CONTEXTS}/` },
      to: { path: `^${CONTEXTS}/`, pathNot: '^$1/' },
    },
    {
      name: 'contexts-below-app',
      comment: 'no context imports composition, dev-only code or tests',
      severity: 'error',
      from: { path: `^(${CONTEXTS}|identity|invoicing|platform|domain)/` },
      to: { path: '^(app|dev|test)/' },
    },
    {
      name: 'migrations-alone',
      comment: 'db/migrations imports knex only, never the code of today',
      severity: 'error',
      from: { path: '^db/migrations/' },
      to: { path: '^(domain|platform|identity|invoicing|orders|cases|settlement|app|dev|test)/' },
    },
    {
      name: 'rules-are-pure',
      comment: '*.rules.ts and settlement/rules/ import only domain/, other rules and (types of) messages',
      severity: 'error',
      from: { path: '(\\.rules\\.ts$|^settlement/rules/)' },
      to: {
        path: '^(platform|identity|invoicing|orders|cases|settlement|app|dev|db|test)/',
        pathNot: '(\\.rules\\.ts$|^settlement/rules/|\\.messages\\.ts$)',
      },
    },
    {
      name: 'rules-no-node',
      comment: 'rules run in workflows too: no Node built-ins',
      severity: 'error',
      from: { path: '(\\.rules\\.ts$|^settlement/rules/)' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'workflow-determinism',
      comment:
        'workflow and message files import only the workflow SDK, messages, rules, domain/, other workflow code and the workflow-safe helpers; activity types as `import type`',
      severity: 'error',
      from: { path: WORKFLOW_CODE },
      to: {
        dependencyTypesNot: ['type-only'],
        pathNot: `(${WORKFLOW_SAFE}|^node_modules/@temporalio/(workflow|common)/)`,
      },
    },
    {
      name: 'workflow-no-node',
      comment: 'no Node built-ins in the workflow bundle',
      severity: 'error',
      from: { path: WORKFLOW_CODE },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'workflows-only-through-contracts',
      comment: 'outside the worker, workflows are reached through their *.messages.ts contracts, never imported',
      severity: 'error',
      from: {
        path: '^(platform|identity|invoicing|orders|cases|settlement|app|dev)/',
        pathNot: `(${WORKFLOW_CODE}|^app/workflow-contracts\\.ts$|^dev/bench/orders\\.ts$)`,
      },
      to: { path: '\\.workflow\\.ts$' },
    },
    {
      name: 'http-not-into-activities',
      comment: 'routes, pages and services start or update workflows; they never run activities themselves',
      severity: 'error',
      from: { path: '(\\.routes\\.ts$|\\.pages\\.ts$|\\.service\\.ts$)' },
      to: { path: '\\.activities\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'stores-are-leaves',
      comment: '*.store.ts holds queries: it imports no service, route, page, workflow or activity',
      severity: 'error',
      from: { path: '\\.store\\.ts$' },
      to: { path: '(\\.service|\\.routes|\\.pages|\\.workflow|\\.activities)\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|\\.data|\\.build|test-artifacts)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.cjs', '.json'],
    },
  },
};
