// typescript-eslint's recommended rules over the sources; formatting is Prettier's (npm run lint).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'media/**', 'node_modules/**', 'test/e2e/deps/**', 'test-output/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { languageOptions: { globals: { ...globals.node } } },
  {
    rules: {
      // the type checker reports unused names (noUnusedLocals, noUnusedParameters) and undefined ones
      '@typescript-eslint/no-unused-vars': 'off',
      'no-undef': 'off',
    },
  },
  {
    // fakes of servers and of the workbench read arbitrary JSON and page objects
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // a CommonJS extension that the e2e installs into code-server as it is
    files: ['test/e2e/fake-model/**'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // the webview runs in the browser
    files: ['webview/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
