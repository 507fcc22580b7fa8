/**
 * Jest runs TypeScript through ts-jest; PGlite needs --experimental-vm-modules (see package.json).
 *
 * feelin and the ESM-only packages it imports are rewritten to CommonJS by
 * babel-jest: Node 20.19+ can require() ESM natively, jest's module loader
 * cannot. Packages that ship a CommonJS build (@lezer/*) are left alone.
 */
const esmOnlyPackages = ['feelin', 'lezer-feel', 'min-dash', 'temporal-polyfill', 'temporal-spec', 'temporal-utils'];

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
    [`/node_modules/(${esmOnlyPackages.join('|')})/.+\\.js$`]: [
      'babel-jest',
      { babelrc: false, configFile: false, plugins: ['@babel/plugin-transform-modules-commonjs'] },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnlyPackages.join('|')})/)`],
  testTimeout: 60000,
};
