/**
 * Property tests run with a fixed seed so that `npm test` gives the same verdict on every run (a
 * property that fails only for some random draws made main red at random). Explore other draws with
 * FC_SEED=<n> npm test; a failure prints its seed and counterexample.
 */
import fc from 'fast-check';

const fromEnvironment = Number(process.env['FC_SEED']);
fc.configureGlobal({ seed: Number.isInteger(fromEnvironment) ? fromEnvironment : 20261124 });
