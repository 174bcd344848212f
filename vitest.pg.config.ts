import { defineConfig } from 'vitest/config'

// The PostgreSQL service suite: needs PAYLINK_TEST_PG_URL (CI: postgres://postgres@127.0.0.1:5432/test).
export default defineConfig({
  test: {
    include: ['test/service/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
})
