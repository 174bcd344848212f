import { defineConfig } from 'vitest/config'

// The browser suite (`npm run test:browser`): the point-of-sale and wallet pages in Debian's
// chromium through playwright-core (PAYLINK_TEST_CHROMIUM, else /usr/bin/chromium).
export default defineConfig({
  test: {
    include: ['test/browser/**/*.browser.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One chromium at a time: the machines that run this have few cores.
    fileParallelism: false,
  },
})
