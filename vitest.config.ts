import { defineConfig } from 'vitest/config'

// The default suite: embedded defaults only (SQLite, in-process devnet, loopback sockets).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // test/faults: the fault-injection suites (`npm run test:faults`), not yet part of CI.
    exclude: ['test/service/**', 'test/browser/**', 'test/faults/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
