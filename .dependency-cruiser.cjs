/**
 * Which folder may import which (see README "Architecture"). Dependencies point down:
 *   composition roots (main.ts, cli.ts, bot.ts), app/, cli/, chat/<platform>/, host/   may import everything below
 *   commands/                                            the chat-neutral use cases
 *   diagnostics/ remediation/ monitor/ alerts/ verify/ render/ demo/   the domain
 *   adapters/                                            implement core/ports; import only core/ and config/
 *   config/  ->  core/ (and core/ports/ may name config types)
 * `npm run lint` runs this; test/core/layers.test.ts proves each rule fails on a planted import.
 */
const DOMAIN = '^src/(diagnostics|remediation|monitor|alerts|verify|render|demo|commands)/';
const PLATFORM = '^src/(chat|host|cli|app)/|^src/(bot|main|cli)\\.ts$';
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
      comment: 'Commands and the domain speak to ports; only chat/, cli/, host/, app/ and the roots know the platform.',
      from: { path: DOMAIN },
      to: { path: PLATFORM },
    },
    {
      name: 'domain-not-to-adapters',
      severity: 'error',
      comment:
        'The domain receives adapters through ports (core/ports); only app/, cli/, chat/ and the roots pick them. demo/ seeds its own redis-server and may use them.',
      from: { path: DOMAIN, pathNot: '^src/demo/' },
      to: { path: '^src/adapters/' },
    },
    {
      name: 'adapters-only-to-core-and-config',
      severity: 'error',
      comment: 'An adapter implements a port of core/ports; it never reaches into a feature or the platform.',
      from: { path: '^src/adapters/' },
      to: { path: '^src/', pathNot: '^src/(adapters|core|config)/' },
    },
    {
      name: 'commands-not-to-chat',
      severity: 'error',
      comment: 'A command is chat-neutral: it never names a chat platform.',
      from: { path: '^src/commands/' },
      to: { path: '^src/chat/|node_modules/@slack/' },
    },
    {
      name: 'no-slack-sdk-outside-chat-slack',
      severity: 'error',
      comment: 'Bolt and the Slack SDK live under src/chat/slack/ only; the roots get the front end as a feature.',
      from: { path: '^src/', pathNot: '^src/chat/slack/' },
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
      from: { path: '^src/core/', pathNot: '^src/core/ports/' },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    {
      name: 'ports-import-core-and-config',
      severity: 'error',
      comment: 'A port (core/ports) names core types and config types, nothing of a feature or an adapter.',
      from: { path: '^src/core/ports/' },
      to: { path: '^src/', pathNot: '^src/(core|config)/' },
    },
    {
      name: 'ports-name-config-types-only',
      severity: 'error',
      comment: 'A port may name a config type; it never runs config code.',
      from: { path: '^src/core/ports/' },
      to: { path: '^src/config/', dependencyTypesNot: ['type-only'] },
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
