// ESLint for what the TypeScript check cannot see: accessibility of the JSX (eslint-plugin-jsx-a11y, strict set)
// and the rules of React hooks. Types are checked by `tsc` (TypeScript 7) in `npm run build`; ESLint only parses,
// with @typescript-eslint/parser on the TypeScript 6 API (the `typescript` package here is
// @typescript/typescript6: typescript-eslint cannot use TypeScript 7's, which has no JavaScript API).
import tsParser from '@typescript-eslint/parser';
import jsxA11y from 'eslint-plugin-jsx-a11y';
import reactHooks from 'eslint-plugin-react-hooks';

export default [
  { ignores: ['dist/', 'node_modules/'] },
  {
    files: ['src/**/*.{ts,tsx}'],
    languageOptions: {
      parser: tsParser,
      parserOptions: { ecmaFeatures: { jsx: true } },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { 'jsx-a11y': jsxA11y, 'react-hooks': reactHooks },
    settings: {
      // Our own labelled controls (ui/Field, ui/Button) render native <input>/<select>/<textarea>/<button>.
      'jsx-a11y': { components: { Button: 'button' } },
    },
    rules: {
      ...jsxA11y.flatConfigs.strict.rules,
      ...reactHooks.configs.recommended.rules,
    },
  },
];
