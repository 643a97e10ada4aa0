#!/usr/bin/env node
import { runCli } from './cli/run-cli.js';
import { processIo } from './cli/io.js';

// The terminal entry point: same engine as the bot, terminal renderer.
const code = await runCli(process.argv.slice(2), processIo());
process.exitCode = code;
