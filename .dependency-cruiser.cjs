/**
 * Which folder may import which (see README "Architecture"). Dependencies point down:
 * slack/, cli/, host/ and the composition roots may import everything below them; the domain
 * (diagnostics, remediation, monitor, alerts, verify), adapters and rendering never import a chat
 * platform, the host or the CLI; config and core import no feature. `npm run lint` runs this.
 */
const DOMAIN = '^src/(core|config|diagnostics|adapters|render|remediation|monitor|alerts|verify|demo)/';
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make start-up order and tests fragile.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-not-to-platform',
      severity: 'error',
      comment:
        'Diagnostics, adapters, rendering and features speak to ports; only slack/, cli/, host/ know the platform.',
      from: { path: DOMAIN },
      to: { path: '^src/(slack|host|cli)/|^src/(bot|main|cli)\\.ts$' },
    },
    {
      name: 'no-slack-sdk-outside-slack',
      severity: 'error',
      comment: 'Bolt and the Slack SDK live under src/slack/ (and the composition root that builds the app).',
      from: { path: '^src/', pathNot: '^src/slack/|^src/bot\\.ts$' },
      to: { path: 'node_modules/@slack/' },
    },
    {
      name: 'config-imports-no-feature',
      severity: 'error',
      comment: 'The config schema is read by every feature; it must not depend on one.',
      from: { path: '^src/config/' },
      to: { path: '^src/', pathNot: '^src/(config|core)/' },
    },
    {
      name: 'core-is-the-bottom',
      severity: 'error',
      comment: 'core/ holds the message model, ports and formatting that everything else shares.',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    {
      name: 'clients-only-in-adapters',
      severity: 'error',
      comment:
        'ioredis and the Kubernetes client are used through ports; only adapters (and the demo seeding) hold them.',
      from: { path: '^src/', pathNot: '^src/(adapters|demo)/|^src/cli/demo-command\\.ts$' },
      to: { path: 'node_modules/(ioredis|@kubernetes/client-node)/' },
    },
    {
      name: 'src-not-to-test',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js'],
    },
    moduleSystems: ['es6'],
  },
};
