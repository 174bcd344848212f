import { defineConfig } from 'vitest/config'

// The default suite: embedded defaults only (SQLite, in-process devnet, loopback sockets).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The service, NATS, fault-injection and browser suites have their own configs and CI steps.
    exclude: ['test/service/**', 'test/nats/**', 'test/browser/**', 'test/faults/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
