/** The CLI as a child process from source (tests that kill or race real processes): node --import tsx test/run-cli.ts ARGS. */
import { main } from '../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
