/**
 * ESLint for the client (src/lib), the dashboard (src/app), the tests and the
 * build configuration. `npm run lint` runs it with --max-warnings 0, so the
 * rules that are warnings by default (react-hooks/exhaustive-deps) fail the
 * tests too. A rule is switched off on one line only, with the reason after
 * `--`:  // eslint-disable-next-line <rule> -- <why>
 * (Browser and node globals need no list: TypeScript checks names, and
 * typescript-eslint turns no-undef off for .ts files.)
 */
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default defineConfig([
  globalIgnores(['dist/', 'lib/']),
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['src/app/**/*.{ts,tsx}'],
    extends: [reactHooks.configs.flat.recommended],
  },
]);
