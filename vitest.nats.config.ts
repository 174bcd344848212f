import { defineConfig } from 'vitest/config'

// The NATS service suite (relay cluster): needs PAYLINK_TEST_NATS_URL and PAYLINK_TEST_PG_URL
// (CI: nats://127.0.0.1:4222 and postgres://postgres@127.0.0.1:5432/test).
export default defineConfig({
  test: {
    include: ['test/nats/**/*.nats.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
})
