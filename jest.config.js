/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest'] },
  // ESM-only packages get compiled too: @middy, @sparticuz/chromium (the browser tests' Chromium),
  // and what openapi-typescript's Node API loads when a test regenerates the client's schema
  // (parse-json with index-to-position, supports-color, change-case).
  transformIgnorePatterns: [
    '^(?!.*/node_modules/(@middy|@sparticuz|parse-json|index-to-position|supports-color|change-case)/).*/node_modules/',
  ],
  // The client package imports its modules as './x.js', as Node's ESM wants; here they are './x.ts'.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/test/contract-setup.ts'],
  testTimeout: 30000,
};
