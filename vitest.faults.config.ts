import { defineConfig } from 'vitest/config'

// The fault-injection suites: processes killed and restarted at each step of a payment.
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
})
